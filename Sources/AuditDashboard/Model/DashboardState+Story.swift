import AuditCore

extension DashboardState {
    /// Panes whose rows are identities: Enter on one opens its story.
    static let identityPanes: Set<PaneID> = [.overview, .unknownUsers, .top, .denied]

    /// The identity on the focused pane's selected row: a suspect, an unknown user, a top
    /// user, a denied identity or user, an alert's actor, a Stream row's user; nil for rows
    /// that are not one (`(none)`, another Top list, the Rates or Latency pane).
    public func selectedIdentity(_ m: DashboardModel) -> String? {
        let row = selected(focus)
        func at<T>(_ list: [T], _ name: (T) -> String) -> String? {
            guard row >= 0, row < list.count else { return nil }
            let n = name(list[row])
            return n.isEmpty || n == "(none)" ? nil : n
        }
        switch focus {
        case .overview: return at(m.suspects, \.identity)
        case .unknownUsers: return at(m.unknownUsers, \.user)
        case .top where topDimension == .users: return at(m.top[.users] ?? [], \.name)
        case .denied:
            switch deniedView {
            case .byIdentity: return at(m.deniedByIdentity, \.user)
            case .latest: return at(m.latestDenied, \.user)
            case .grouped: return at(m.deniedGroups, \.user)
            }
        case .alerts: return at(m.alerts) { $0.examples.first?.user ?? "" }
        case .stream: return at(m.stream, \.user)
        default: return nil
        }
    }

    /// Enter on an identity row (Overview, Unknown users, Top users, Denied by identity)
    /// opens its story; on the Overview with no suspect, the strip's actor's. Returns true
    /// when it did.
    public mutating func openStoryOnEnter(_ m: DashboardModel) -> Bool {
        guard detail == nil, story == nil, prompt == nil, !showHelp, Self.identityPanes.contains(focus) else { return false }
        if focus == .denied, deniedView != .byIdentity { return false }
        guard let identity = selectedIdentity(m) ?? (focus == .overview ? m.incident(self)?.actor : nil), !identity.isEmpty else {
            return false
        }
        story = StoryState(identity: identity)
        return true
    }

    /// `s`: the story of the selected row's identity, else of the strip's actor.
    mutating func openStory(_ m: DashboardModel) -> Bool {
        guard let identity = selectedIdentity(m) ?? m.incident(self)?.actor, !identity.isEmpty else { return false }
        story = StoryState(identity: identity)
        return true
    }

    /// A key while a story is open: scroll, Enter opens the request, `f` filters on the
    /// identity, Esc, Backspace and `q` go back.
    mutating func handleStory(_ key: Key, _ open: StoryState, lines: [IdentityStory.Line], page: Int) -> Intent {
        var st = open
        let last = max(0, lines.count - 1)
        st.scroll = min(st.scroll, last)
        if ScrollKeys.move(key, &st.scroll, last: last, page: page) {
            story = st
            return .redraw
        }
        switch key {
        case .escape, .backspace, .character("q"): story = nil; return .redraw
        case .enter:
            guard st.scroll < lines.count else { return .none }
            detail = DetailState(sequence: lines[st.scroll].sequence)
        case .character("f"):
            story = nil
            drillDown("user=\(Filter.quoted(open.identity))")
            focus = .stream
            return .redraw
        case .character("?"): showHelp = true
        default: return .none
        }
        if story != nil { story = st }
        return .redraw
    }
}
