/// The users an operator expects, from the known-users file: one entry a line, an exact
/// name, a glob (`*@example.com`, `ci-?`), or `group:NAME` for any member of a group;
/// `#` starts a comment.
public struct KnownUsers: Sendable {
    private var exact: Set<String> = []
    private var globs: [String] = []
    private var groups: Set<String> = []

    /// No known users.
    public init() {}

    /// Parses the file's text.
    public init(text: String) {
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = raw
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let entry = line.trimmingCharacters(in: " \t\r")
            guard !entry.isEmpty else { continue }
            add(entry)
        }
    }

    /// Adds one entry in the file's notation.
    public mutating func add(_ entry: String) {
        if entry.hasPrefix("group:") {
            groups.insert(String(entry.dropFirst(6)))
        } else if entry.contains("*") || entry.contains("?") {
            globs.append(entry)
        } else {
            exact.insert(entry)
        }
    }

    /// Adds one exact name (no glob or group notation).
    public mutating func add(name: String) { exact.insert(name) }

    /// True when the file lists nothing.
    public var isEmpty: Bool { exact.isEmpty && globs.isEmpty && groups.isEmpty }

    /// True when `user` is listed by name or glob.
    public func contains(user: String) -> Bool {
        exact.contains(user) || globs.contains { Glob.matches($0, user) }
    }

    /// True when `group` is listed as `group:NAME`.
    public func contains(group: String) -> Bool { groups.contains(group) }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}
