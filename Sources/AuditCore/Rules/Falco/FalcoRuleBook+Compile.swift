extension FalcoRuleBook {
    /// The book's `k8s_audit` rules, resolved: every macro expanded, every list inlined,
    /// every field checked, exceptions folded into the condition, outputs parsed.
    public func compile() throws(RulesError) -> [DataRule] {
        var out: [DataRule] = []
        var resolver = Resolver(book: self)
        for rule in rules {
            func fail(_ e: ConditionError, _ what: String = "condition") -> RulesError {
                guard what == "condition" else {
                    return RulesError(file: rule.place.file, line: rule.place.line, item: "rule '\(rule.name)'", message: "\(what) \(e)")
                }
                return FalcoRuleBook.located(e, rule.conditionAt, rule.condition, item: "rule '\(rule.name)'")
            }
            var condition: Condition
            do {
                condition = try resolver.resolve(try FalcoConditionParser.parse(rule.condition), stack: [])
            } catch let e as ResolveFailure {
                if rule.skipIfUnknownFilter, e.unknownField { continue }
                throw e.error ?? fail(e.condition!)
            } catch let e as ConditionError {
                throw fail(e)
            } catch {
                throw fail(ConditionError(message: "\(error)", offset: 0))
            }
            var exceptions: [Condition] = []
            for e in rule.exceptions {
                if let c = try resolver.exception(e, rule: rule.name) { exceptions.append(c) }
            }
            if !exceptions.isEmpty { condition = .all([condition, .not(.any(exceptions))]) }
            let output: OutputTemplate
            do { output = try OutputTemplate(rule.output) } catch { throw fail(error, "output") }
            out.append(DataRule(
                name: rule.name, severity: Self.priorities[rule.priority.lowercased()] ?? .medium, description: rule.description,
                condition: condition, format: .falco, origin: rule.place.line == 0 ? rule.place.file : rule.place.text,
                priority: rule.priority.uppercased(), output: output, tags: rule.tags, enabled: rule.enabled))
        }
        return out
    }
}

extension FalcoRuleBook {
    /// A condition's mistake at its place in the file: the condition's line, and the column
    /// in the file when the condition is one line (else 0; the message has the column within
    /// the condition either way).
    static func located(_ e: ConditionError, _ at: Place, _ text: String, item: String) -> RulesError {
        let oneLine = !text.contains("\n") && at.column > 0
        return RulesError(file: at.file, line: at.line, column: oneLine ? at.column + e.offset : 0, item: item, message: "condition \(e)")
    }
}

/// Why resolving failed: a condition error in the rule itself, or a finished error naming
/// the macro it lies in.
struct ResolveFailure: Error {
    var condition: ConditionError?
    var error: RulesError?
    var unknownField = false
}

/// Expands macros and lists of one book, remembering macros already parsed.
struct Resolver {
    let book: FalcoRuleBook
    private var parsed: [String: FalcoExpr] = [:]

    init(book: FalcoRuleBook) { self.book = book }

    /// The values of a list or inline list, with list names expanded (recursively).
    func expand(_ items: [FalcoOperand], depth: Int = 0) -> [String] {
        var out: [String] = []
        for item in items {
            if !item.quoted, depth < 32, let list = book.lists[item.text] {
                out += expand(list.items.map { FalcoOperand(text: $0, quoted: false) }, depth: depth + 1)
            } else {
                out.append(item.text)
            }
        }
        return out
    }

    mutating func resolve(_ e: FalcoExpr, stack: [String]) throws -> Condition {
        switch e {
        case .and(let terms): return .all(try terms.map { try resolve($0, stack: stack) })
        case .or(let terms): return .any(try terms.map { try resolve($0, stack: stack) })
        case .not(let inner): return .not(try resolve(inner, stack: stack))
        case .macro(let name, let offset):
            guard let macro = book.macros[name] else {
                if book.lists[name] != nil {
                    throw ResolveFailure(condition: ConditionError(message: "'\(name)' is a list; use it inside parentheses: field in (\(name))", offset: offset))
                }
                throw ResolveFailure(condition: ConditionError(message: "undefined macro '\(name)'", offset: offset))
            }
            guard !stack.contains(name) else {
                throw ResolveFailure(condition: ConditionError(message: "macro '\(name)' refers to itself", offset: offset))
            }
            let tree: FalcoExpr
            if let t = parsed[name] {
                tree = t
            } else {
                do { tree = try FalcoConditionParser.parse(macro.condition) } catch {
                    throw ResolveFailure(error: FalcoRuleBook.located(error, macro.conditionAt, macro.condition, item: "macro '\(name)'"))
                }
                parsed[name] = tree
            }
            do { return try resolve(tree, stack: stack + [name]) } catch let f as ResolveFailure {
                guard let c = f.condition else { throw f }
                throw ResolveFailure(error: FalcoRuleBook.located(c, macro.conditionAt, macro.condition, item: "macro '\(name)'"), unknownField: f.unknownField)
            }
        case .test(let name, let argument, let opText, let values, let list, let offset):
            let field: EventField
            do { field = try FalcoFields.field(name, argument: argument, offset: offset) } catch {
                throw ResolveFailure(condition: error, unknownField: true)
            }
            guard let op = ConditionOperator.falco[opText] else {
                throw ResolveFailure(condition: ConditionError(message: "unknown operator '\(opText)'", offset: offset))
            }
            if op.takesList != list, op != .exists, !(list && [.contains, .icontains, .startswith, .endswith, .glob].contains(op)) {
                let message = op.takesList ? "'\(opText)' takes a list in parentheses" : "'\(opText)' takes one value, not a list"
                throw ResolveFailure(condition: ConditionError(message: message, offset: offset))
            }
            return .test(field, op, list ? expand(values) : values.map(\.text))
        }
    }

    /// One exception as a condition (nil when it has no values yet).
    mutating func exception(_ e: FalcoRuleBook.ExceptionItem, rule: String) throws(RulesError) -> Condition? {
        func fail(_ message: String) -> RulesError {
            RulesError(file: e.place.file, line: e.place.line, item: "rule '\(rule)' exception '\(e.name)'", message: message)
        }
        guard !e.values.isEmpty else { return nil }
        func test(_ fieldName: String, _ comp: String, _ value: RuleNode) throws(RulesError) -> Condition {
            let (name, argument) = Self.splitArgument(fieldName)
            let field: EventField
            do { field = try FalcoFields.field(name, argument: argument, offset: 0) } catch { throw fail(error.message) }
            guard let op = ConditionOperator.falco[comp] else { throw fail("unknown comparison '\(comp)'") }
            let raw = value.strings ?? []
            let operands = raw.map { FalcoOperand(text: $0, quoted: false) }
            let values = op.takesList ? expand(operands) : raw
            return .test(field, op, values)
        }
        if let single = e.fields?.string {
            let comp = e.comps?.string ?? "in"
            var all: [String] = []
            for v in e.values { all += v.strings ?? [] }
            return try test(single, comp, RuleNode(.sequence(all.map { RuleNode(.scalar($0)) })))
        }
        guard let fields = e.fields?.strings, !fields.isEmpty else { throw fail("'fields' names the fields the values are for") }
        let comps = e.comps?.strings ?? Array(repeating: "=", count: fields.count)
        guard comps.count == fields.count else { throw fail("'comps' has \(comps.count) entries for \(fields.count) fields") }
        var tuples: [Condition] = []
        for tuple in e.values {
            guard let items = tuple.sequence, items.count == fields.count else {
                throw fail("each value is a list of \(fields.count) (one per field)")
            }
            var terms: [Condition] = []
            for k in fields.indices { terms.append(try test(fields[k], comps[k], items[k])) }
            tuples.append(.all(terms))
        }
        return .any(tuples)
    }

    static func splitArgument(_ name: String) -> (String, String?) {
        guard name.hasSuffix("]"), let open = name.firstIndex(of: "[") else { return (name, nil) }
        return (String(name[..<open]), String(name[name.index(after: open)..<name.index(before: name.endIndex)]))
    }
}
