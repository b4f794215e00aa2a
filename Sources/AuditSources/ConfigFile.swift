import Foundation
import Yams

/// `$XDG_CONFIG_HOME/audittop/config.yaml`: defaults for the command-line options. Flags
/// win over it; it wins over the built-in defaults.
public struct ConfigFile: Sendable {
    /// A setting: its key, what it takes, its built-in default, and what it does.
    public struct Key: Sendable {
        public var name: String
        public var kind: Kind
        public var defaultValue: String
        public var help: String
    }

    public enum Kind: Sendable { case text, number, flag, list }

    /// Every key the file may hold.
    public static let keys: [Key] = [
        Key(name: "sources", kind: .list, defaultValue: "", help: "files, folders, -, demo or webhook URLs to watch"),
        Key(name: "theme", kind: .text, defaultValue: "default", help: "a theme name or file"),
        Key(name: "known-users", kind: .text, defaultValue: "", help: "the known-users file"),
        Key(name: "rules", kind: .list, defaultValue: "", help: "rules files or folders (audittop, Falco or Sigma), read in order"),
        Key(name: "exec", kind: .list, defaultValue: "", help: "commands whose output to follow, restarted when they exit"),
        Key(name: "filter", kind: .text, defaultValue: "", help: "the filter to start with"),
        Key(name: "capacity", kind: .number, defaultValue: "200000", help: "events kept in the ring"),
        Key(name: "raw-budget", kind: .text, defaultValue: "64MiB", help: "bytes of raw JSON kept for the detail view"),
        Key(name: "learn", kind: .text, defaultValue: "10m live, off in report", help: "learn users and baselines within this much event time (live sources: 10m; 0s is off)"),
        Key(name: "platform-identities", kind: .text, defaultValue: "", help: "a file replacing the built-in platform identities, or none"),
        Key(name: "baseline", kind: .text, defaultValue: "", help: "a baseline file: loaded at start when present, saved at the end"),
        Key(name: "fps", kind: .number, defaultValue: "10", help: "most frames drawn per second"),
        Key(name: "wall", kind: .flag, defaultValue: "false", help: "start on the war-room wall"),
        Key(name: "rotate", kind: .number, defaultValue: "15", help: "seconds between the wall's pane changes"),
        Key(name: "bell", kind: .flag, defaultValue: "false", help: "ring the bell on high or critical alerts"),
        Key(name: "read-only", kind: .flag, defaultValue: "false", help: "a kiosk: no export, :known or theme change"),
    ]

    /// A value from the file, as text (lists joined by newlines), with its line.
    public struct Entry: Sendable, Equatable {
        public var value: String
        public var line: Int
    }

    public var path: String
    public var entries: [String: Entry]

    public init(path: String, entries: [String: Entry]) {
        self.path = path
        self.entries = entries
    }

    /// A mistake in the file: where and what.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var line: Int
        public var message: String
        public var description: String { "\(path):\(line): \(message)" }
    }

    /// audittop's own configuration folder: `$XDG_CONFIG_HOME/audittop`, or
    /// `~/.config/audittop`. The config file, the user's themes and `:known`'s default file
    /// live there.
    public static func folder(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSString(string: "~").expandingTildeInPath) + "/.config"
        return base + "/audittop"
    }

    /// The configuration file's path: `folder()/config.yaml`.
    public static func defaultPath(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        folder(environment) + "/config.yaml"
    }

    /// Reads `path`; an absent file is an empty configuration.
    public static func load(_ path: String) throws(Failure) -> ConfigFile {
        guard FileManager.default.fileExists(atPath: path) else { return ConfigFile(path: path, entries: [:]) }
        switch SystemReason.text(of: path) {
        case .success(let text): return try parse(text, path: path)
        case .failure(let f): throw Failure(path: path, line: 0, message: "cannot read the configuration file: \(f.reason)")
        }
    }

    public static func parse(_ text: String, path: String) throws(Failure) -> ConfigFile {
        func fail(_ node: Node?, _ message: String) -> Failure {
            Failure(path: path, line: node?.mark?.line ?? 1, message: message)
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw Failure(path: path, line: 1, message: "not valid YAML: \(error)")
        }
        guard let root else { return ConfigFile(path: path, entries: [:]) }
        guard let mapping = root.mapping else { throw fail(root, "the configuration is a mapping of option names to values") }
        var entries: [String: Entry] = [:]
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? "?"
            guard let key = keys.first(where: { $0.name == name }) else {
                throw fail(keyNode, "unknown key '\(name)'; keys: \(keys.map(\.name).joined(separator: ", "))")
            }
            let line = keyNode.mark?.line ?? 1
            switch key.kind {
            case .list:
                if let list = value.sequence {
                    let items = list.compactMap(\.string)
                    guard items.count == list.count else { throw fail(value, "\(name) is a list of strings") }
                    entries[name] = Entry(value: items.joined(separator: "\n"), line: line)
                } else if let one = value.string {
                    entries[name] = Entry(value: one, line: line)
                } else {
                    throw fail(value, "\(name) is a list of strings")
                }
            case .number:
                guard let n = value.int, n > 0 else { throw fail(value, "\(name) is a whole number above 0") }
                entries[name] = Entry(value: String(n), line: line)
            case .flag:
                guard let b = value.bool else { throw fail(value, "\(name) is true or false") }
                entries[name] = Entry(value: String(b), line: line)
            case .text:
                guard let s = value.string, value.scalar != nil else { throw fail(value, "\(name) is a string") }
                entries[name] = Entry(value: s, line: line)
            }
        }
        return ConfigFile(path: path, entries: entries)
    }

    /// Every key's effective value and where it came from: `commandLine` (the flags given),
    /// then this file, then the built-in default.
    public func effective(commandLine: [String: String]) -> [(key: String, value: String, origin: String)] {
        ConfigFile.keys.map { key in
            if let v = commandLine[key.name] { return (key.name, v, "command line") }
            if let e = entries[key.name] { return (key.name, e.value, "\((path as NSString).lastPathComponent):\(e.line)") }
            return (key.name, key.defaultValue, "default")
        }
    }

    /// The value of `key`: the flag's when given, else the file's, else nil.
    public func value(_ key: String, flag: String?) -> String? {
        flag ?? entries[key]?.value
    }
}
