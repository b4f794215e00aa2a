import AuditCore
import Foundation
import Yams

/// Loads `--rules` paths, in order, into a rule set. Each file's format is told by its
/// content: audittop's own rules file (`rules:`/`disable:`), a Falco rules file (a list of
/// `rule`/`macro`/`list` items), or a Sigma rule (`logsource` and `detection`). A folder is
/// read file by file (`*.yaml`, `*.yml`, recursively, in name order).
public enum RuleFiles {
    /// What was loaded, and what was skipped (one note each).
    public struct Loaded: Sendable {
        public var rules: RuleSet
        public var notes: [String]
        /// Per file read: its format and how many rules it gave.
        public var files: [(path: String, format: String, rules: Int)]
    }

    public static func load(_ paths: [String], into start: RuleSet = RuleSet()) throws(RulesError) -> Loaded {
        var rules = start
        var book = FalcoRuleBook()
        var sigma: [DataRule] = []
        var notes: [String] = []
        var files: [(path: String, format: String, rules: Int)] = []
        // The built-in data rules go first into the book, so a file may append to their lists
        // and macros, or replace a rule by defining one of the same name (as Falco's own
        // ruleset does for the rules audittop named after it).
        if rules.builtins, !rules.builtinsInData {
            try book.add(BuiltinRules.root, file: DataRule.builtinOrigin, origin: DataRule.builtinOrigin)
            rules.builtinsInData = true
        }
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw RulesError(file: path, line: 0, message: "cannot read the rules: \(String(cString: strerror(ENOENT)))")
            }
            let members = isFolder.boolValue ? folderFiles(path) : [path]
            if isFolder.boolValue, members.isEmpty { notes.append("\(path): no .yaml or .yml files") }
            for file in members {
                let text: String
                switch SystemReason.text(of: file) {
                case .success(let t): text = t
                case .failure(let f): throw RulesError(file: file, line: 0, message: "cannot read the rules file: \(f.reason)")
                }
                let root = try node(text, file: file)
                if let root, FalcoRuleBook.recognises(root) {
                    try book.add(root, file: file)
                    let defined = root.sequence?.filter { $0["rule"] != nil && $0["source"]?.string == "k8s_audit" && $0["condition"] != nil
                        && $0["append"]?.string != "true" && $0["override"] == nil }.count ?? 0
                    files.append((file, "falco", defined))
                } else if let root, SigmaRule.recognises(root) {
                    let (rule, note) = try SigmaRule.load(root, file: file)
                    if let rule { sigma.append(rule) }
                    if let note { notes.append(note) }
                    files.append((file, "sigma", rule == nil ? 0 : 1))
                } else if let root, root["rules"] != nil || root["disable"] != nil {
                    let before = rules.custom.count
                    do { rules = try RulesFile.parse(text, file: file, into: rules) } catch {
                        throw RulesError(file: error.file, line: error.line, item: error.rule.map { "rule '\($0)'" }, message: error.message)
                    }
                    files.append((file, "audittop", rules.custom.count - before))
                } else if isFolder.boolValue {
                    notes.append("\(file): not a rules file (audittop's, Falco's or Sigma's); skipped")
                } else {
                    throw RulesError(file: file, line: root?.line ?? 1, message:
                        "not a rules file audittop knows: expected audittop's (rules:, disable:), Falco's (a list of rule, macro and list items) or a Sigma rule (logsource, detection)")
                }
            }
        }
        notes += book.notes
        rules.data += try book.compile() + sigma
        let detectors = rules.builtins ? BuiltinRule.allCases.map(\.name) : []
        let names = Dictionary(grouping: rules.data.map(\.name) + rules.custom.map(\.name) + detectors, by: { $0 }).filter { $0.value.count > 1 }
        if let dup = names.keys.sorted().first, let rule = rules.data.last(where: { $0.name == dup }) {
            throw RulesError(file: rule.origin, line: 0, item: "rule '\(dup)'", message: "another loaded rule already has this name")
        }
        return Loaded(rules: rules, notes: notes, files: files)
    }

    static func folderFiles(_ folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var out: [String] = []
        while let item = walker.nextObject() as? String {
            if item.hasSuffix(".yaml") || item.hasSuffix(".yml") { out.append((folder as NSString).appendingPathComponent(item)) }
        }
        return out.sorted()
    }

    /// The YAML text as a rules tree, positions kept.
    public static func node(_ text: String, file: String) throws(RulesError) -> RuleNode? {
        do {
            guard let root = try Yams.compose(yaml: text) else { return nil }
            return convert(root)
        } catch let error as YamlError {
            throw RulesError(file: file, line: line(of: error), message: "not valid YAML: \(error)")
        } catch {
            throw RulesError(file: file, line: 1, message: "not valid YAML: \(error)")
        }
    }

    static func convert(_ n: Node) -> RuleNode {
        let line = n.mark?.line ?? 0, column = n.mark?.column ?? 0
        switch n {
        case .scalar(let s):
            if s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) { return RuleNode(.null, line: line, column: column) }
            return RuleNode(.scalar(s.string), line: line, column: column)
        case .mapping(let m):
            return RuleNode(.mapping(m.map { (key: $0.key.string ?? "", value: convert($0.value)) }), line: line, column: column)
        case .sequence(let q):
            return RuleNode(.sequence(q.map(convert)), line: line, column: column)
        case .alias:
            return RuleNode(.null, line: line, column: column)
        }
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }
}
