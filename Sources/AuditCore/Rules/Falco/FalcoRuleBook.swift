/// Falco rules files, loaded in order into one book of lists, macros and rules, then
/// compiled: appends and overrides in later files change what earlier files defined, as in
/// Falco's engine. Only rules for the `k8s_audit` source are compiled; the others are
/// skipped with a note.
public struct FalcoRuleBook: Sendable {
    struct Place: Sendable {
        var file: String
        var line: Int
        var column: Int
        var text: String { "\(file):\(line)" }
    }

    struct ListItem: Sendable { var items: [String]; var place: Place }
    struct MacroItem: Sendable { var condition: String; var place: Place; var source: String?; var conditionAt: Place }
    struct ExceptionItem: Sendable {
        var name: String
        var fields: RuleNode?
        var comps: RuleNode?
        var values: [RuleNode]
        var place: Place
    }
    struct RuleItem: Sendable {
        var name: String
        var condition: String
        var output: String
        var description: String
        var priority: String
        var source: String
        var tags: [String]
        var enabled: Bool
        var exceptions: [ExceptionItem]
        var skipIfUnknownFilter: Bool
        var place: Place
        /// Where the condition's text starts in its file.
        var conditionAt: Place
    }

    private(set) var lists: [String: ListItem] = [:]
    private(set) var macros: [String: MacroItem] = [:]
    private(set) var rules: [RuleItem] = []
    /// What was skipped, one line each (another source's rules).
    public private(set) var notes: [String] = []
    /// Names of rules skipped for their source: appends to them are skipped too.
    private var otherSource: Set<String> = []
    private var origin: String?

    public init() {}

    /// The names of the `k8s_audit` rules defined so far.
    public var ruleNames: [String] { rules.map(\.name) }

    /// True when `root` looks like a Falco rules file: a list of `rule`, `macro`, `list`,
    /// `required_engine_version` or `required_plugin_versions` items.
    public static func recognises(_ root: RuleNode) -> Bool {
        guard let items = root.sequence, !items.isEmpty else { return false }
        return items.allSatisfy { item in
            guard let m = item.mapping, let first = m.first?.key else { return false }
            return m.contains { FalcoRuleBook.itemKinds.contains($0.key) } || FalcoRuleBook.itemKinds.contains(first)
        }
    }

    static let itemKinds: Set<String> = ["rule", "macro", "list", "required_engine_version", "required_plugin_versions"]
    static let priorities: [String: Severity] = [
        "emergency": .critical, "alert": .critical, "critical": .critical, "error": .high, "warning": .medium,
        "notice": .low, "informational": .info, "info": .info, "debug": .info,
    ]

    /// Adds one file's items. `origin` overrides where rules say they come from (`built-in`).
    public mutating func add(_ root: RuleNode, file: String, origin: String? = nil) throws(RulesError) {
        self.origin = origin
        guard let items = root.sequence else {
            throw RulesError(file: file, line: root.line, message: "a Falco rules file is a list of rule, macro and list items")
        }
        for item in items {
            guard let m = item.mapping else { throw RulesError(file: file, line: item.line, message: "an item is a mapping (rule, macro or list)") }
            let place = Place(file: file, line: item.line, column: item.column)
            func fail(_ what: String, _ message: String, at node: RuleNode? = nil) -> RulesError {
                RulesError(file: file, line: node?.line ?? item.line, column: node?.column ?? 0, item: what, message: message)
            }
            if let name = item["list"]?.string {
                try addList(name, item, place, fail)
            } else if let name = item["macro"]?.string {
                try addMacro(name, item, place, fail)
            } else if let name = item["rule"]?.string {
                try addRule(name, item, place, fail)
            } else if item["required_engine_version"] != nil || item["required_plugin_versions"] != nil {
                continue
            } else {
                let keys = m.map(\.key).joined(separator: ", ")
                throw fail("item", "not a rule, macro or list (keys: \(keys))")
            }
        }
    }

    private enum Merge { case define, append, replace }

    /// How an item changes one key of an existing item: `append: true`, or `override:`.
    private static func merge(_ item: RuleNode, _ key: String, _ fail: (String) -> RulesError) throws(RulesError) -> Merge {
        if let o = item["override"] {
            guard o.mapping != nil else { throw fail("'override' is a mapping of keys to append or replace") }
            guard let how = o[key] else { return .define }
            switch how.string {
            case "append": return .append
            case "replace": return .replace
            default: throw fail("override of '\(key)' is append or replace, not '\(how.string ?? "?")'")
            }
        }
        if item["append"]?.string == "true" { return .append }
        return .define
    }

    private static func isModification(_ item: RuleNode) -> Bool { item["override"] != nil || item["append"]?.string == "true" }

    private mutating func addList(_ name: String, _ item: RuleNode, _ place: Place, _ fail: (String, String, RuleNode?) -> RulesError) throws(RulesError) {
        let what = "list '\(name)'"
        let itemsNode = item["items"]
        guard let items = itemsNode?.isNull == true ? [] : itemsNode?.strings else { throw fail(what, "a list needs 'items', a list of values", nil) }
        switch try Self.merge(item, "items", { fail(what, $0, item["override"]) }) {
        case .define where Self.isModification(item):
            throw fail(what, "'override' names no change to 'items'", nil)
        case .define: lists[name] = ListItem(items: items, place: place)
        case .append:
            guard lists[name] != nil else { throw fail(what, "appends to a list no earlier item defines", nil) }
            lists[name]!.items += items
        case .replace:
            guard lists[name] != nil else { throw fail(what, "overrides a list no earlier item defines", nil) }
            lists[name]!.items = items
        }
    }

    private mutating func addMacro(_ name: String, _ item: RuleNode, _ place: Place, _ fail: (String, String, RuleNode?) -> RulesError) throws(RulesError) {
        let what = "macro '\(name)'"
        guard let condition = item["condition"]?.string else { throw fail(what, "a macro needs a 'condition'", nil) }
        switch try Self.merge(item, "condition", { fail(what, $0, item["override"]) }) {
        case .define where Self.isModification(item):
            throw fail(what, "'override' names no change to 'condition'", nil)
        case .define:
            let at = item["condition"].map { Place(file: place.file, line: $0.line, column: $0.column) } ?? place
            macros[name] = MacroItem(condition: condition, place: place, source: item["source"]?.string, conditionAt: at)
        case .append:
            guard macros[name] != nil else { throw fail(what, "appends to a macro no earlier item defines", nil) }
            macros[name]!.condition += " " + condition
        case .replace:
            guard macros[name] != nil else { throw fail(what, "overrides a macro no earlier item defines", nil) }
            macros[name]!.condition = condition
        }
    }

    private mutating func addRule(_ name: String, _ item: RuleNode, _ place: Place, _ fail: (String, String, RuleNode?) -> RulesError) throws(RulesError) {
        let what = "rule '\(name)'"
        let existing = rules.firstIndex { $0.name == name }
        let modifies = Self.isModification(item) || (item.mapping?.allSatisfy { ["rule", "enabled"].contains($0.key) } ?? false)
        if modifies {
            if otherSource.contains(name) { return }
            guard let k = existing else { throw fail(what, "changes a rule no earlier item defines", nil) }
            try modify(&rules[k], item, what, fail)
            return
        }
        let source = item["source"]?.string ?? "syscall"
        guard source == "k8s_audit" else {
            otherSource.insert(name)
            notes.append("\(place.text): rule '\(name)' is for the \(source) source; skipped")
            return
        }
        guard let condition = item["condition"]?.string else { throw fail(what, "a rule needs a 'condition'", nil) }
        guard let output = item["output"]?.string else { throw fail(what, "a rule needs an 'output'", nil) }
        guard let priority = item["priority"]?.string else { throw fail(what, "a rule needs a 'priority'", nil) }
        guard Self.priorities[priority.lowercased()] != nil else {
            throw fail(what, "priority '\(priority)' is not one of EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL, DEBUG", item["priority"])
        }
        var rule = RuleItem(
            name: name, condition: condition, output: output, description: item["desc"]?.string ?? "", priority: priority,
            source: source, tags: item["tags"]?.strings ?? [], enabled: item["enabled"]?.string != "false", exceptions: [],
            skipIfUnknownFilter: item["skip-if-unknown-filter"]?.string == "true", place: origin.map { Place(file: $0, line: 0, column: 0) } ?? place,
            conditionAt: item["condition"].map { Place(file: place.file, line: $0.line, column: $0.column) } ?? place)
        rule.exceptions = try Self.exceptions(item["exceptions"], place, what, fail)
        if let k = existing { rules[k] = rule } else { rules.append(rule) }
    }

    private func modify(_ rule: inout RuleItem, _ item: RuleNode, _ what: String, _ fail: (String, String, RuleNode?) -> RulesError) throws(RulesError) {
        let place = Place(file: rule.place.file, line: item.line, column: item.column)
        for (key, value) in item.mapping ?? [] where !["rule", "append", "override"].contains(key) {
            let how = try Self.merge(item, key, { fail(what, $0, item["override"]) })
            let append = how == .append || (how == .define && item["append"]?.string == "true")
            switch key {
            case "condition":
                guard let t = value.string else { throw fail(what, "'condition' is text", value) }
                rule.condition = append ? rule.condition + " " + t : t
            case "output":
                guard let t = value.string else { throw fail(what, "'output' is text", value) }
                rule.output = append ? rule.output + " " + t : t
            case "desc": rule.description = append ? rule.description + " " + (value.string ?? "") : value.string ?? ""
            case "priority":
                guard let p = value.string, Self.priorities[p.lowercased()] != nil else { throw fail(what, "priority is not a Falco priority", value) }
                rule.priority = p
            case "tags": rule.tags = append ? rule.tags + (value.strings ?? []) : value.strings ?? []
            case "enabled": rule.enabled = value.string != "false"
            case "exceptions":
                let more = try Self.exceptions(value, place, what, fail)
                if !append { rule.exceptions = more; continue }
                for e in more {
                    if let k = rule.exceptions.firstIndex(where: { $0.name == e.name }) {
                        rule.exceptions[k].values += e.values
                    } else {
                        rule.exceptions.append(e)
                    }
                }
            case "source", "skip-if-unknown-filter", "warn_evttypes", "required_engine_version", "capture", "capture_duration": continue
            default: throw fail(what, "cannot change '\(key)'", value)
            }
        }
    }

    private static func exceptions(_ node: RuleNode?, _ place: Place, _ what: String, _ fail: (String, String, RuleNode?) -> RulesError) throws(RulesError) -> [ExceptionItem] {
        guard let node, !node.isNull else { return [] }
        guard let list = node.sequence else { throw fail(what, "'exceptions' is a list", node) }
        var out: [ExceptionItem] = []
        for e in list {
            guard let name = e["name"]?.string else { throw fail(what, "an exception needs a 'name'", e) }
            out.append(ExceptionItem(name: name, fields: e["fields"], comps: e["comps"], values: e["values"]?.sequence ?? [],
                                     place: Place(file: place.file, line: e.line, column: e.column)))
        }
        return out
    }
}
