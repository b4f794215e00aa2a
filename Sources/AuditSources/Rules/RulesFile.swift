import AuditCore
import Foundation
import Yams

/// A rules file (`--rules FILE`): rules in the filter language, and built-ins to turn off.
///
/// ```yaml
/// disable: [Create NodePort Service]
/// rules:
///   - name: Deletes in production
///     severity: high
///     filter: verb=delete,deletecollection ns=prod-*
///   - name: Secret scraping
///     severity: medium
///     filter: resource=secrets verb=get,list
///     threshold: 20
///     window: 1m
///     groupBy: user
/// ```
public enum RulesFile {
    /// A mistake in a rules file: the file, the line, the rule, and what is wrong.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var file: String
        public var line: Int
        public var rule: String?
        public var message: String
        public var description: String {
            "\(file):\(line): " + (rule.map { "rule '\($0)': " } ?? "") + message
        }
    }

    static let ruleKeys: Set<String> = ["name", "severity", "description", "filter", "threshold", "window", "groupBy"]

    /// Reads the text of a rules file into `rules` (built-ins stay on unless disabled);
    /// `RuleFiles` reads the file and tells this format from the others.
    public static func parse(_ text: String, file: String, into rules: RuleSet = RuleSet()) throws(Failure) -> RuleSet {
        func fail(_ node: Node?, _ rule: String?, _ message: String) -> Failure {
            Failure(file: file, line: node?.mark.map { $0.line } ?? 1, rule: rule, message: message)
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw Failure(file: file, line: Self.line(of: error), message: "not valid YAML: \(error)")
        } catch {
            throw Failure(file: file, line: 1, message: "not valid YAML: \(error)")
        }
        var out = rules
        guard let root else { return out }
        guard let top = root.mapping else { throw fail(root, nil, "expected a mapping with 'rules' and/or 'disable'") }
        for (key, value) in top {
            switch key.string {
            case "disable":
                guard let list = value.sequence else { throw fail(value, nil, "'disable' is a list of built-in rule names") }
                for item in list {
                    guard let name = item.string, let rule = BuiltinRules.names.first(where: { $0.lowercased() == name.lowercased() }) else {
                        throw fail(item, nil, "'\(item.string ?? "?")' is not a built-in rule; names: "
                            + BuiltinRules.names.joined(separator: ", "))
                    }
                    out.disabled.insert(rule)
                }
            case "rules":
                guard let list = value.sequence else { throw fail(value, nil, "'rules' is a list of rules") }
                for item in list {
                    guard let fields = item.mapping else { throw fail(item, nil, "a rule is a mapping with name, severity and filter") }
                    let name = fields["name"]?.string
                    for (k, v) in fields where !ruleKeys.contains(k.string ?? "") {
                        throw fail(v, name, "unknown key '\(k.string ?? "?")'; keys: \(ruleKeys.sorted().joined(separator: ", "))")
                    }
                    guard let name, !name.isEmpty else { throw fail(item, nil, "a rule needs a name") }
                    if out.custom.contains(where: { $0.name == name }) || BuiltinRules.names.contains(where: { $0.lowercased() == name.lowercased() }) {
                        throw fail(fields["name"], name, "another rule already has this name")
                    }
                    guard let severityNode = fields["severity"], let severity = severityNode.string.flatMap(Severity.init(name:)) else {
                        throw fail(fields["severity"] ?? item, name, "severity must be one of info, low, medium, high, critical")
                    }
                    guard let filterNode = fields["filter"], let filterText = filterNode.string else {
                        throw fail(item, name, "a rule needs a filter (the same language as /)")
                    }
                    let filter: Filter
                    do { filter = try Filter.parse(filterText) } catch {
                        throw fail(filterNode, name, "filter \(error)")
                    }
                    var rule = CustomRule(name: name, severity: severity, description: fields["description"]?.string ?? "", filter: filter)
                    if let t = fields["threshold"] {
                        guard let n = t.int, n >= 1 else { throw fail(t, name, "threshold is a whole number of at least 1") }
                        rule.threshold = n
                    }
                    if let w = fields["window"] {
                        guard let text = w.string, let micros = FilterValue.duration(text), micros > 0 else {
                            throw fail(w, name, "window is a duration like 30s, 1m or 1h")
                        }
                        rule.window = micros
                    }
                    if let g = fields["groupBy"] {
                        guard let field = g.string.flatMap(Filter.Field.init(rawValue:)), ![.latency, .time].contains(field) else {
                            throw fail(g, name, "groupBy is a field: user, ip, ns, resource, verb, agent, …")
                        }
                        rule.groupBy = field
                    }
                    if (rule.groupBy != nil || fields["window"] != nil) && rule.threshold == nil {
                        throw fail(item, name, "window and groupBy need a threshold")
                    }
                    out.custom.append(rule)
                }
            default:
                throw fail(key, nil, "unknown key '\(key.string ?? "?")'; a rules file has 'rules' and 'disable'")
            }
        }
        return out
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }
}
