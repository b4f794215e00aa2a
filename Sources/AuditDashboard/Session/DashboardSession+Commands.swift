import AuditCore

extension DashboardSession {
    /// Runs a `:` command: the filter ones here, the rest as effects for the program.
    mutating func command(_ line: String) -> [SessionEffect] {
        let name = String(line.prefix { $0 != " " })
        let argument = String(line.dropFirst(name.count)).trimmingCharacters(in: .whitespaces)
        if settings.readOnly, ["export", "known", "theme"].contains(name) {
            message = "read-only: :\(name) is off"
            return []
        }
        switch name {
        case "q", "quit": return [.quit]
        case "filter":
            let filter: Filter
            do { filter = try Filter.parse(argument) } catch {
                message = "filter: \(error)"
                return []
            }
            state.setFilter(filter)
            if !argument.isEmpty { state.history.append(argument) }
            state.pinned[.stream] = nil
            message = argument.isEmpty ? "filter cleared" : "filter set"
        case "clear":
            state.filterTerms = []
            state.pinned[.stream] = nil
            message = "filter cleared"
        case "export":
            guard !argument.isEmpty else {
                message = "export needs a file: :export /tmp/events.jsonl"
                return []
            }
            return [.export(path: argument)]
        case "known":
            guard !argument.isEmpty else {
                message = "known needs a user: :known alice@example.com"
                return []
            }
            return [.addKnownUser(argument)]
        case "theme": return [.useTheme(argument)]
        case "speed":
            guard settings.replay else {
                message = "speed: only a replay has a speed"
                return []
            }
            guard ReplayClock.parseSpeed(argument) != nil else {
                message = "speed takes 1x, 10x, 0.5x or max"
                return []
            }
            message = "speed: \(argument)"
            return [.replay(.speed(argument))]
        default:
            message = "unknown command :\(name); commands: " + Completion.commands.map(\.name).joined(separator: ", ")
        }
        return []
    }
}
