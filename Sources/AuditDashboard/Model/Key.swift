import AuditCore
import Foundation

/// A key press, as the terminal layer decodes it.
public enum Key: Equatable, Sendable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace
    /// Ctrl-U: empties the line being typed.
    case clearLine
    case interrupt
}

/// What the main loop should do after a key.
public enum Intent: Equatable, Sendable {
    case none, redraw, quit
    /// A `:` command for the loop to run (`export /tmp/x.jsonl`).
    case command(String)
}

extension DashboardState {
    /// Applies `key`; `rows` says how many rows each pane has now, `detail` how the open
    /// event is laid out on screen, `page` how many rows a page holds, and `model` what is on
    /// screen (for the keys that act on a row's identity or the strip's alert: Enter, `s`, `a`).
    /// `DashboardSession` calls it for the keys that need nothing outside the state.
    public mutating func handle(_ key: Key, rows: [PaneID: Int], detail layout: DetailLayout? = nil, page: Int = 10,
                                model: DashboardModel? = nil) -> Intent {
        if key == .interrupt { return .quit }
        if let prompt { return handlePrompt(key, prompt, layout: layout) }
        if showHelp {
            // Any key closes the help; q quits only from the main screen.
            showHelp = false
            return .redraw
        }
        if let d = detail { return handleDetail(key, d, layout ?? DetailLayout(lines: [], width: 80, wrap: d.wrap, page: page)) }
        if let story { return handleStory(key, story, lines: model?.story?.lines ?? [], page: page) }
        let count = rows[focus] ?? 0
        let current = selected(focus)
        switch key {
        case .character("q"): return .quit
        case .character("?"): showHelp = true
        case .character(" "): paused.toggle()
        case .character("/"): openPrompt(.filter, filterText)
        case .character(":"): openPrompt(.command, "")
        case .character("r"): rateWindow = DashboardModel.RateWindow(rawValue: (rateWindow.rawValue + 1) % 3)!
        case .character("w"): wall.toggle()
        case .character("v"): deniedView = DeniedView(rawValue: (deniedView.rawValue + 1) % DeniedView.allCases.count)!
        case .character("R"): rawStages.toggle()
        case .character("a"):
            guard let incident = model?.incident(self) else { return .none }
            acknowledge(incident.alert)
        case .character("s"):
            guard let model, openStory(model) else { return .none }
        case .character(let c) where ("0"..."8").contains(c):
            guard let pane = PaneID.allCases.first(where: { $0.number == Int(String(c))! }), panes.contains(pane) else { return .none }
            focus = pane
        case .tab: focus = panes[(panes.firstIndex(of: focus).map { $0 + 1 } ?? 0) % panes.count]
        case .backTab: focus = panes[((panes.firstIndex(of: focus) ?? 0) + panes.count - 1) % panes.count]
        case .up, .character("k"): selection[focus] = max(0, current - 1)
        case .down, .character("j"): selection[focus] = max(0, min(count - 1, current + 1))
        case .pageUp: selection[focus] = max(0, current - page)
        case .pageDown: selection[focus] = max(0, min(count - 1, current + page))
        case .home, .character("g"): selection[focus] = 0
        case .end, .character("G"): selection[focus] = max(0, count - 1)
        case .left where focus == .top:
            topDimension = TopDimension(rawValue: (topDimension.rawValue + TopDimension.allCases.count - 1) % TopDimension.allCases.count)!
        case .right where focus == .top:
            topDimension = TopDimension(rawValue: (topDimension.rawValue + 1) % TopDimension.allCases.count)!
        // The Rates pane's cursor is a bucket: ← older, → newer (0 is the newest).
        case .left where focus == .rates: selection[.rates] = min(max(0, count - 1), current + 1)
        case .right where focus == .rates: selection[.rates] = max(0, current - 1)
        case .backspace:
            guard !filterTerms.isEmpty else { return .none }
            filterTerms.removeLast()
            pinned[.stream] = nil
        case .escape:
            guard !filterTerms.isEmpty else { return .none }
            filterTerms = []
            pinned[.stream] = nil
        case .enter:
            if let model, openStoryOnEnter(model) { return .redraw }
            return .redraw  // the loop turns Enter on an event row into `detail` (it knows the rows)
        default: return .none
        }
        return .redraw
    }

    private mutating func openPrompt(_ kind: PromptKind, _ text: String) {
        prompt = text
        promptKind = kind
        promptError = nil
        historyIndex = nil
    }

    private mutating func closePrompt() {
        prompt = nil
        promptError = nil
        historyIndex = nil
        promptKind = .filter
    }

    /// A key while a line is being typed at the bottom.
    private mutating func handlePrompt(_ key: Key, _ text: String, layout: DetailLayout?) -> Intent {
        var text = text
        switch key {
        case .enter:
            switch promptKind {
            case .detailSearch:
                if var d = detail {
                    d.search = text
                    d.match = 0
                    if let first = layout?.hits(text).first { d.scroll = min(first, layout?.lastScroll ?? first) }
                    detail = d
                }
            case .filter:
                let parsed: Filter
                do {
                    parsed = try Filter.parse(text)
                } catch {
                    promptError = error.description
                    return .redraw
                }
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                setFilter(parsed)
                if !trimmed.isEmpty, history.last != trimmed { history.append(trimmed) }
                pinned[.stream] = nil
            case .command:
                closePrompt()
                let command = text.trimmingCharacters(in: .whitespaces)
                return command.isEmpty ? .redraw : .command(command)
            }
            closePrompt()
            return .redraw
        case .escape:
            closePrompt()
            return .redraw
        case .backspace:
            if !text.isEmpty { text.removeLast() }
        case .character(let c):
            guard !c.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return .none }
            text.append(c)
        case .clearLine:
            text = ""
        case .tab where promptKind != .detailSearch:
            text = Completion.complete(text, command: promptKind == .command)
        case .up where promptKind == .filter:
            guard !history.isEmpty else { return .none }
            let k = max(0, (historyIndex ?? history.count) - 1)
            historyIndex = k
            text = history[k]
        case .down where promptKind == .filter:
            guard let k = historyIndex else { return .none }
            historyIndex = k + 1 < history.count ? k + 1 : nil
            text = historyIndex.map { history[$0] } ?? ""
        default:
            return .none
        }
        prompt = text
        promptError = nil
        return .redraw
    }
}
