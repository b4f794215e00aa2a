import AuditCore

/// Tab completion for the `/` and `:` prompts: command names, then field names.
public enum Completion {
    /// The `:` commands, for completion and help.
    public static let commands: [(name: String, usage: String, what: String)] = [
        ("filter", ":filter QUERY", "set the filter (the language of /)"),
        ("clear", ":clear", "clear the filter"),
        ("export", ":export FILE", "write the events matching the filter as JSON lines (replayable)"),
        ("known", ":known USER", "add USER to the known-users file; it leaves the Unknown users pane"),
        ("theme", ":theme NAME", "switch to another theme (default, or a file in Themes/)"),
        ("speed", ":speed S", "replay speed: 1x, 10x, 0.5x or max"),
        ("q", ":q", "quit"),
    ]

    /// `text` with its last word completed: a command name at the start of a `:` line,
    /// else a field name (then `=`). Several candidates complete to their common prefix.
    public static func complete(_ text: String, command: Bool) -> String {
        if command, !text.contains(" ") {
            return extend(text, word: text, candidates: commands.map(\.name), suffix: " ")
        }
        if command, !text.hasPrefix("filter ") { return text }
        // The word being typed: after the last space, parenthesis or leading minus.
        var start = text.endIndex
        while start > text.startIndex, !" (".contains(text[text.index(before: start)]) { start = text.index(before: start) }
        var word = String(text[start...])
        if word.hasPrefix("-") { word.removeFirst() }
        guard !word.isEmpty, !word.contains(where: { "=!~<>\"".contains($0) }) else { return text }
        return extend(text, word: word, candidates: Filter.Field.allCases.map(\.rawValue), suffix: "=")
    }

    private static func extend(_ text: String, word: String, candidates: [String], suffix: String) -> String {
        let hits = candidates.filter { $0.hasPrefix(word.lowercased()) }
        guard let first = hits.first else { return text }
        if hits.count == 1 { return text + String(first.dropFirst(word.count)) + suffix }
        var common = first
        for h in hits.dropFirst() { while !h.hasPrefix(common) { common.removeLast() } }
        return text + String(common.dropFirst(word.count))
    }
}
