import ArgumentParser
import AuditCore
import AuditSources
import Foundation

/// Options that size the engine and classify users, shared by every command that reads events.
struct EngineOptions: ParsableArguments {
    @Option(help: "Events kept in memory (the ring; default 200000).")
    var capacity: Int?

    @Option(name: .customLong("raw-budget"), help: "Bytes of raw JSON kept for the detail view (e.g. 64MiB, the default).",
            transform: ByteCount.parse)
    var rawBudget: Int?

    @Option(name: .customLong("max-line"), help: "Longest line or document accepted (e.g. 4MiB); longer ones are counted and skipped.",
            transform: ByteCount.parse)
    var maxLine: Int = 4 << 20

    @Option(name: .customLong("known-users"), help: "File of expected users: names, globs like *@example.com, group:NAME; # comments.")
    var knownUsers: String?

    @Option(help: "Learn for this much event time from the first event (e.g. 10m, 2h; 0s is off): users first seen then are known, and each identity's baseline is what it did then. Live sources learn 10m by default.",
            transform: DurationText.parse)
    var learn: Int64?

    @Option(name: .customLong("platform-identities"),
            help: "File of the platform's own identities (known-users notation), replacing the built-in list; 'none' switches it off.")
    var platformIdentities: String?

    @Option(help: "Baseline file: loaded at start when it exists, and written at the end with what this run learned.")
    var baseline: String?

    @Option(help: "Only events received at or after this time: RFC 3339 (2026-03-14T09:00:00Z) or relative to now (-2h).",
            transform: TimeText.parse)
    var since: Int64?

    @Option(help: "Only events received before this time: RFC 3339 or relative to now (-30m).", transform: TimeText.parse)
    var until: Int64?

    @Option(help: "Only count events matching this filter, e.g. 'user=*@example.com verb=delete,patch code>=400'.")
    var filter: String?

    @Option(help: ArgumentHelp(
        "Rules to load, in order (repeatable): a file or folder of audittop, Falco or Sigma rules.",
        valueName: "file-or-folder"))
    var rules: [String] = []

    @Flag(name: .customLong("no-builtin-rules"), help: "Run only the rules of --rules files, not the built-in ones.")
    var noBuiltinRules = false

    @Flag(name: .customLong("no-rules"), help: "Run no detection rules (built-in or from --rules).")
    var noRules = false

    /// The rules paths given: the flags', else the configuration file's.
    func rulePaths(_ config: ConfigFile = Config.file) -> [String] {
        if !rules.isEmpty { return rules }
        return config.value("rules", flag: nil).map { $0.split(separator: "\n").map(String.init).filter { !$0.isEmpty } } ?? []
    }

    func validate() throws {
        if let since, let until, since >= until { throw ValidationError("--since must be before --until") }
        if let capacity, capacity <= 0 { throw ValidationError("--capacity must be at least 1") }
        guard maxLine >= 1024 else { throw ValidationError("--max-line must be at least 1KiB") }
    }

    /// The store configuration these options describe, with the configuration file's values
    /// for the options not given; reads the known-users and rules files.
    func configuration(_ config: ConfigFile = Config.file, live: Bool = false) throws -> StoreConfiguration {
        var c = StoreConfiguration()
        c.capacity = try capacity ?? config.entries["capacity"].map { try Config.number($0.value, "capacity") } ?? c.capacity
        c.rawBudget = try rawBudget ?? config.entries["raw-budget"].map { try Config.parsed($0.value, "raw-budget", ByteCount.parse) } ?? c.rawBudget
        c.learn = try learn ?? config.entries["learn"].map { try Config.parsed($0.value, "learn", DurationText.parse) }
            ?? (live ? EngineOptions.liveLearning : nil)
        if c.learn == 0 { c.learn = nil }
        if let platform = config.value("platform-identities", flag: platformIdentities) {
            if platform == "none" {
                c.platformIdentities = KnownUsers()
            } else {
                switch SystemReason.text(of: platform) {
                case .success(let text): c.platformIdentities = KnownUsers(text: text)
                case .failure(let f): throw CLIError("cannot read the platform identities file \(platform): \(f.reason); check the path, or use none", code: 2)
                }
            }
        }
        if let file = baselineFile, FileManager.default.fileExists(atPath: file) {
            do {
                c.baseline = try JSONDecoder().decode(BaselineFile.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                throw CLIError("cannot read the baseline \(file): \(SystemReason.of(error)); move it aside to learn anew", code: 2)
            }
            if c.baseline?.version != 1 { throw CLIError("the baseline \(file) is of another version; move it aside to learn anew", code: 2) }
        }
        c.since = since
        c.until = until
        if let knownUsers = knownUsersToRead {
            do {
                c.knownUsers = KnownUsers(text: try String(contentsOfFile: knownUsers, encoding: .utf8))
            } catch {
                throw CLIError("cannot read the known-users file \(knownUsers): \(SystemReason.of(error))", code: 2)
            }
        }
        if noRules {
            c.rules = .none
        } else {
            var start = RuleSet()
            start.builtins = !noBuiltinRules
            do {
                let loaded = try RuleFiles.load(rulePaths(config), into: start)
                c.rules = loaded.rules
                for note in loaded.notes { FileHandle.standardError.write(Data("audittop: note: \(note)\n".utf8)) }
            } catch { throw CLIError("\(error)", code: 2) }
        }
        return c
    }

    /// How long live sources learn when `--learn` is not given: 10 minutes of event time.
    static let liveLearning: Int64 = 600_000_000

    /// The baseline file given (flag or configuration file).
    var baselineFile: String? { Config.file.value("baseline", flag: baseline) }

    /// Writes what the store's rules learned (and loaded) to the baseline file, when one was given.
    func saveBaseline(_ store: EventStore) throws {
        guard let file = baselineFile, let rules = store.rules else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(rules.baselines.file(store.strings)).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw CLIError("cannot write the baseline \(file): \(SystemReason.of(error))", code: 2)
        }
    }

    /// The known-users file: the one given (flag or configuration file), else the default
    /// one `:known` writes (`~/.config/audittop/known-users`).
    var knownUsersFile: String { Config.file.value("known-users", flag: knownUsers) ?? Export.defaultKnownUsersFile }

    /// The known-users file to read at start: the one given, else the default one when it
    /// exists (so what `:known` added is known on the next start).
    var knownUsersToRead: String? {
        if let given = Config.file.value("known-users", flag: knownUsers) { return given }
        return FileManager.default.fileExists(atPath: Export.defaultKnownUsersFile) ? Export.defaultKnownUsersFile : nil
    }

    /// The filter to start with (flag or configuration file).
    var filterText: String? { Config.file.value("filter", flag: filter) }
}

extension EngineOptions {
    /// The parsed `--filter`, or `.all`; a mistake says where, and exits 2.
    func parsedFilter() throws -> Filter {
        guard let filter = filterText else { return .all }
        do { return try Filter.parse(filter) } catch {
            throw CLIError("--filter: \(error)\n  \(filter)\n  \(String(repeating: " ", count: max(error.column - 1, 0)))^", code: 2)
        }
    }
}

/// An error for the user, printed as `audittop: MESSAGE`, exiting with `code`.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    var code: Int32

    init(_ message: String, code: Int32 = 1) {
        description = message
        self.code = code
    }
}

/// Byte counts like `4096`, `64KiB`, `64MiB`, `1GiB`, `100MB`.
enum ByteCount {
    static func parse(_ text: String) throws -> Int {
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000),
            ("GB", 1_000_000_000), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("B", 1),
        ]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let v = Int(text.dropLast(suffix.count)), v >= 0 { return v * scale }
        }
        if let v = Int(text), v >= 0 { return v }
        throw ValidationError("'\(text)' is not a size; use bytes or a unit like 64MiB")
    }
}

/// Durations like `90s`, `10m`, `2h`, `1d`, as microseconds (the filter language's, with
/// the unit required).
enum DurationText {
    /// A duration with a unit (`90s`, `10m`, `2h`, `1d`, `250ms`), or a bare number of seconds
    /// (`2`, `0.5`), in microseconds.
    static func parse(_ text: String) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0, seconds < 1e9 { return Int64(seconds * 1_000_000) }
        guard trimmed.last?.isLetter == true, let d = FilterValue.duration(trimmed) else {
            throw ValidationError("'\(text)' is not a duration; use seconds (2, 0.5) or a number and a unit: 90s, 10m, 2h, 1d")
        }
        return d
    }
}

/// Times for `--since` / `--until`: RFC 3339, a clock time today (UTC), or `-2h` from now.
enum TimeText {
    static func parse(_ text: String) throws -> Int64 {
        guard let t = FilterValue.time(text) else {
            throw ValidationError("'\(text)' is not a time; use RFC 3339 (2026-03-14T09:00:00Z) or a time before now (-2h)")
        }
        return t.resolve(reference: Int64(Date().timeIntervalSince1970 * 1_000_000))
    }
}
