import AuditCore

extension DashboardSession {
    /// The main screen is showing: no prompt, detail, story or help over it.
    var onMainScreen: Bool { state.prompt == nil && state.detail == nil && state.story == nil && !state.showHelp }

    /// Every key goes through here, in this order: the replay's go-to prompt, the replay's
    /// keys, the kiosk's guards, the theme, Enter on a row, then the state's own keys.
    mutating func handleKey(_ pressed: Key) -> [SessionEffect] {
        if goTo != nil { return goToKey(pressed) }
        // h and l are ← and → everywhere a line is not being typed.
        var key = pressed
        if state.prompt == nil, state.detail == nil {
            if key == .character("h") { key = .left }
            if key == .character("l") { key = .right }
        }
        if settings.replay, onMainScreen, let action = replayAction(key) {
            if case .goTo = action {
                goTo = ""
                return []
            }
            return [.replay(action)]
        }
        if settings.readOnly, key == .character("q"), state.prompt == nil, state.story == nil, state.detail == nil {
            // A kiosk quits only when asked twice.
            if now - quitAsked < 3 { return [.quit] }
            quitAsked = now
            message = "read-only: press q again within 3 s to quit"
            return []
        }
        if key == .character("t"), onMainScreen {
            if settings.readOnly {
                message = "read-only: the theme stays"
                return []
            }
            return [.cycleTheme]
        }
        if key == .enter, onMainScreen { return enter() }
        let before = (focus: state.focus, selection: state.selected(state.focus), filter: state.filterTerms)
        let intent = state.handle(key, rows: rowCounts, detail: detailLayout, page: page, model: model)
        if state.filterTerms != before.filter { state.pinned[.stream] = nil }
        // A cursor moved in a pane: it stays on its row now, or follows again on the newest.
        if onMainScreen, state.focus == before.focus, Self.movesCursor(key),
           state.selected(state.focus) != before.selection || key == .end || key == .character("G") {
            state.pinSelection(state.focus, model)
        }
        switch intent {
        case .quit: return [.quit]
        case .command(let line): return command(line)
        case .redraw, .none: return []
        }
    }

    static func movesCursor(_ key: Key) -> Bool {
        switch key {
        case .up, .down, .pageUp, .pageDown, .home, .end, .left, .right: true
        case .character(let c): "jkgG".contains(c)
        default: false
        }
    }

    /// Replay keys: space pause, + - speed, . one event, [ ] one minute, { } ten minutes,
    /// @ go to a time, m mark a range, c clear it.
    func replayAction(_ key: Key) -> ReplayAction? {
        switch key {
        case .character(" "): .togglePause
        case .character("+"), .character("="): .faster
        case .character("-"): .slower
        case .character("."): .stepOne
        case .character("["): .jump(seconds: -60)
        case .character("]"): .jump(seconds: 60)
        case .character("{"): .jump(seconds: -600)
        case .character("}"): .jump(seconds: 600)
        case .character("@"): .goTo("")
        case .character("m"): .mark
        case .character("c"): .clearRange
        default: nil
        }
    }

    /// A key while the go-to time is typed.
    mutating func goToKey(_ key: Key) -> [SessionEffect] {
        var text = goTo ?? ""
        switch key {
        case .enter:
            goTo = nil
            let target = text.trimmingCharacters(in: .whitespaces)
            guard !target.isEmpty else { return [] }
            guard FilterValue.time(target) != nil else {
                message = "go to: '\(target)' is not a time; use 14:32, an RFC 3339 time, or -5m"
                return []
            }
            return [.replay(.goTo(target))]
        case .escape, .interrupt:
            goTo = nil
            return []
        case .backspace:
            if !text.isEmpty { text.removeLast() }
        case .clearLine: text = ""
        case .character(let c):
            guard !c.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return [] }
            text.append(c)
        default: return []
        }
        goTo = text
        return []
    }

    /// Enter on the main screen: an identity opens its story; a Stream row or a latest
    /// denial opens the event; any other row adds its term to the filter (a drill-down),
    /// and the focus stays on the pane it came from.
    mutating func enter() -> [SessionEffect] {
        if state.openStoryOnEnter(model) { return [] }
        let row = state.selected(state.focus)
        switch state.focus {
        case .stream:
            guard model.stream.indices.contains(row) else { return [] }
            state.detail = DetailState(sequence: model.stream[row].sequence)
            return []
        case .denied where state.deniedView == .latest:
            guard model.latestDenied.indices.contains(row) else { return [] }
            return [.openAuditID(model.latestDenied[row].auditID)]
        default:
            guard let term = DrillDown.term(state, model) else {
                message = "Enter: nothing to open or filter on here"
                return []
            }
            guard state.drillDown(term) else {
                message = "drill-down: cannot filter on \(term)"
                return []
            }
            state.pinned[.stream] = nil
            message = "filter: + \(term) (⌫ removes it)"
            return []
        }
    }
}
