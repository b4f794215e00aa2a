@testable import AuditCore
import Testing

/// The event every test here runs on: alice creates a two-container pod in `prod`, with a
/// hostPath volume, through kubectl, from an IPv4 and an IPv6 address.
enum Sample {
    static let pod = #"""
    {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"5c7e4a10-8d2b-4c3e-9f1a-0b6d2e7f8a91",
     "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/prod/pods?fieldManager=kubectl-create","verb":"create",
     "user":{"username":"alice@example.com","groups":["system:authenticated","dev"]},"sourceIPs":["10.0.4.17","fd00::17"],
     "userAgent":"kubectl/v1.30.2 (linux/amd64) kubernetes/3968350",
     "objectRef":{"resource":"pods","namespace":"prod","name":"web-1","apiVersion":"v1"},
     "responseStatus":{"metadata":{},"code":201},
     "requestObject":{"kind":"Pod","spec":{"volumes":[{"name":"etc","hostPath":{"path":"/etc/kubernetes"}}],
      "containers":[{"name":"web","image":"nginx:1.27","securityContext":{"privileged":true}},{"name":"log","image":"fluent/fluent-bit:3.0"}]}},
     "requestReceivedTimestamp":"2026-03-14T09:00:00.000000Z","stageTimestamp":"2026-03-14T09:00:00.004000Z",
     "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
    """#

    /// Whether `condition` holds on `event`.
    static func holds(_ condition: Condition, on event: String = pod) -> Bool {
        let bytes = Array(event.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            var reader = EventFieldReader(raw: buffer)
            return ConditionMatcher(condition).matches(&reader)
        }
    }

    static func test(_ f: FalcoField, _ op: ConditionOperator, _ values: String...) -> Condition {
        .test(.falco(f, argument: nil), op, values)
    }
}

/// Falco rules files without YAML: each item is JSON, laid out as YAML would put it in
/// `test.yaml` (item k on line 10k, its n-th key on the line after the one before).
enum Book {
    static func node(_ json: String, line: Int) -> RuleNode {
        var n = RuleNode(json: JSONValue.parse(json)!)
        n.line = line
        n.column = 3
        if case .mapping(var members) = n.kind {
            for k in members.indices {
                members[k].value.line = line + k
                members[k].value.column = 3 + members[k].key.utf8.count + 2
            }
            n.kind = .mapping(members)
        }
        return n
    }

    static func compile(_ items: [String]) throws(RulesError) -> [DataRule] {
        var book = FalcoRuleBook()
        try book.add(RuleNode(.sequence(items.enumerated().map { node($0.element, line: 10 * ($0.offset + 1)) })), file: "test.yaml")
        return try book.compile()
    }

    /// A `k8s_audit` rule item named `name`.
    static func rule(_ condition: String, name: String = "r", more: String = "") -> String {
        #"{"rule":"\#(name)","condition":\#(JSONValue.string(condition).json),"output":"o","priority":"WARNING","source":"k8s_audit"\#(more)}"#
    }

    /// The condition of the last rule of `items` plus a rule with `condition`.
    static func condition(_ condition: String, _ items: String...) throws(RulesError) -> Condition {
        try compile(items + [rule(condition)]).last!.condition
    }

    static func fires(_ condition: String, _ items: String...) throws(RulesError) -> Bool {
        Sample.holds(try compile(items + [rule(condition)]).last!.condition)
    }

    /// The error `items` fail with.
    static func error(_ items: String...) -> RulesError? {
        do { _ = try compile(items) } catch { return error }
        return nil
    }
}

@Suite struct FalcoConditionTests {
    let create = Sample.test(.verb, .equals, "create"), delete = Sample.test(.verb, .equals, "delete")
    let secrets = Sample.test(.targetResource, .equals, "secrets")

    @Test func andBindsTighterThanOrAndNotTighterThanAnd() throws {
        let orAnd = try Book.condition("ka.verb=create or ka.verb=delete and ka.target.resource=secrets")
        #expect(orAnd == .any([create, .all([delete, secrets])]))
        #expect(Sample.holds(orAnd))
        let notAnd = try Book.condition("not ka.verb=delete and ka.target.resource=secrets")
        #expect(notAnd == .all([.not(delete), secrets]))
        #expect(!Sample.holds(notAnd))
        let grouped = try Book.condition("(ka.verb=create or ka.verb=delete) and ka.target.resource=secrets")
        #expect(grouped == .all([.any([create, delete]), secrets]))
        #expect(!Sample.holds(grouped))
        #expect(try Book.fires("not (ka.verb=delete and ka.target.resource=secrets)"))
    }

    static let operators: [(String, Bool)] = [
        ("ka.verb = create", true), ("ka.verb == \"create\"", true), ("ka.verb = 'delete'", false),
        ("ka.verb != create", false), ("ka.verb != delete", true),
        ("ka.response.code < 1000", true), ("ka.response.code < 201", false), ("ka.response.code <= 201", true),
        ("ka.response.code > 200", true), ("ka.response.code > 201", false), ("ka.response.code >= 201", true),
        ("ka.target.name in (web-1, web-2)", true), ("ka.target.name in (web-2)", false),
        ("ka.user.groups in (system:authenticated, dev, ops)", true), ("ka.user.groups in (system:authenticated)", false),
        ("ka.user.groups intersects (dev, ops)", true), ("ka.user.groups intersects (ops)", false),
        ("ka.useragent contains kubectl/", true), ("ka.useragent contains Kubectl", false),
        ("ka.useragent icontains KUBECTL", true), ("ka.useragent icontains kubelet", false),
        ("ka.useragent = \"kubectl/v1.30.2 (linux/amd64) kubernetes/3968350\"", true),
        ("ka.target.name startswith web-", true), ("ka.target.name startswith eb", false),
        ("ka.target.name endswith '-1'", true), ("ka.target.name endswith -2", false),
        ("ka.uri glob \"/api/v1/namespaces/*/pods?*\"", true), ("ka.uri glob /apis/*", false),
        ("ka.req.pod.volumes.hostpath pmatch (/etc)", true), ("ka.req.pod.volumes.hostpath pmatch (/et, /var)", false),
        ("ka.req.pod.containers.image.repository in (nginx, fluent/fluent-bit)", true),
        ("ka.req.pod.containers.image.repository in (nginx)", false), ("ka.req.pod.containers.privileged intersects (true)", true),
        // As the plugin does, containers that do not say are skipped.
        ("ka.req.pod.containers.privileged in (true)", true), ("ka.req.pod.containers.privileged in (false)", false),
        ("ka.user.name exists", true), ("ka.impuser.name exists", false), ("not ka.impuser.name exists", true),
        // A field the event lacks makes every test false, `!=` too; `not` makes it true.
        ("ka.impuser.name = bob", false), ("ka.impuser.name != bob", false), ("ka.impuser.name in (bob)", false),
        ("ka.impuser.name contains b", false), ("not ka.impuser.name = bob", true), ("not ka.impuser.name != bob", true),
    ]

    @Test(arguments: operators) func operatorOnARealEvent(_ condition: String, _ holds: Bool) throws {
        #expect(try Book.fires(condition) == holds)
    }

    @Test func listsInlineNamedNestedAndAppended() throws {
        let writes = #"{"list":"writes","items":["create","update"]}"#
        #expect(try Book.condition("ka.verb in (writes, patch)", writes) == Sample.test(.verb, .in, "create", "update", "patch"))
        let nested = #"{"list":"mutations","items":["writes","delete"]}"#
        #expect(try Book.condition("ka.verb in (mutations)", writes, nested) == Sample.test(.verb, .in, "create", "update", "delete"))
        let more = #"{"list":"writes","items":["patch"],"append":true}"#
        #expect(try Book.condition("ka.verb in (writes)", writes, more) == Sample.test(.verb, .in, "create", "update", "patch"))
        // A quoted item is a value, never a list's name.
        #expect(try Book.condition("ka.verb in (\"writes\")", writes) == Sample.test(.verb, .in, "writes"))
        #expect(try !Book.fires("ka.verb in (deletes)", #"{"list":"deletes","items":["delete"]}"#))
    }

    @Test func macrosNestedAppendedAndReplaced() throws {
        let pods = #"{"macro":"pods","condition":"ka.target.resource=pods"}"#
        let podCreate = #"{"macro":"pod_create","condition":"ka.verb=create and pods"}"#
        #expect(try Book.fires("pod_create", pods, podCreate))
        let appended = #"{"macro":"pods","condition":"or ka.target.resource=secrets","append":true}"#
        #expect(try Book.condition("pods", pods, appended)
            == .any([Sample.test(.targetResource, .equals, "pods"), Sample.test(.targetResource, .equals, "secrets")]))
        let replaced = #"{"macro":"pods","condition":"ka.target.resource=secrets","override":{"condition":"replace"}}"#
        #expect(try !Book.fires("pod_create", pods, podCreate, replaced))
    }

    @Test func rulesAppendedExceptedAndDisabled() throws {
        let base = Book.rule("ka.verb=create")
        #expect(try Book.compile([base, #"{"rule":"r","condition":"and ka.verb=delete","override":{"condition":"append"}}"#])
            .map { Sample.holds($0.condition) } == [false])
        func excepted(_ exception: String) throws -> Bool {
            Sample.holds(try Book.compile([Book.rule("ka.verb=create", more: #","exceptions":[\#(exception)]"#)])[0].condition)
        }
        let pair = #"{"name":"known","fields":["ka.user.name","ka.target.namespace"],"comps":["=","in"],"values":"#
        #expect(try !excepted(pair + #"[["alice@example.com",["staging","prod"]]]}"#))
        #expect(try excepted(pair + #"[["alice@example.com",["staging"]],["bob",["prod"]]]}"#))
        #expect(try excepted(pair + "[]}"))
        let single = #"{"name":"ns","fields":"ka.target.namespace","values":"#
        #expect(try !excepted(single + #"["dev","prod"]}"#))
        #expect(try excepted(single + #"["dev"]}"#))
        let off = try Book.compile([base, #"{"rule":"r","enabled":false}"#, Book.rule("ka.verb=create", name: "s", more: #","enabled":false"#)])
        #expect(off.map(\.enabled) == [false, false])
        #expect(try Book.compile([Book.rule("ka.verb=create", more: #","enabled":true"#)]).map(\.enabled) == [true])
    }

    @Test(arguments: [
        ("ka.verb = ", "condition column 11: a value should follow '='"),
        ("(ka.verb = create", "condition column 18: missing ')'"),
        ("ka.verb = create)", "condition column 17: unexpected ')'"),
        ("ka.verb in (create, update", "condition column 27: missing ')' after the list"),
        ("ka.verbs = create", "condition column 1: unknown field 'ka.verbs'"),
        ("ka.verb = create and proc.name = sh", "condition column 22: unknown field 'proc.name' (not a k8s_audit field)"),
        ("ka.verb = create and nope", "condition column 22: undefined macro 'nope'"),
        ("ka.verb in create", "condition column 1: 'in' takes a list in parentheses"),
    ])
    func conditionMistakesSayWhatAndWhere(_ condition: String, _ message: String) throws {
        let error = try #require(Book.error(#"{"list":"writes","items":["create"]}"#, Book.rule(condition)))
        #expect(error.message == message)
        // The condition's own line (the rule's item is on 20, its condition on 21, at column
        // 14), and the column in the file: the condition's start plus the column within it.
        let within = Int(message.split(separator: " ")[2].dropLast())!
        #expect((error.file, error.line, error.column, error.item) == ("test.yaml", 21, 14 + within - 1, "rule 'r'"))
        #expect(error.description == "test.yaml:21:\(14 + within - 1): rule 'r': " + message)
    }

    @Test func mistakesInListsMacrosAndItemsNameTheirItem() throws {
        let list = try #require(Book.error(#"{"list":"writes","items":["create"]}"#, Book.rule("writes")))
        #expect(list.message.contains("'writes' is a list; use it inside parentheses"))
        let inMacro = try #require(Book.error(#"{"macro":"m","condition":"ka.verb = (a"}"#, Book.rule("m")))
        #expect((inMacro.line, inMacro.item, inMacro.message) == (11, "macro 'm'", "condition column 13: missing ')' after the list"))
        let cases: [(String, String, String)] = [
            (#"{"list":"nope","items":["a"],"append":true}"#, "list 'nope'", "appends to a list no earlier item defines"),
            (#"{"macro":"nope","condition":"x","append":true}"#, "macro 'nope'", "appends to a macro no earlier item defines"),
            (#"{"rule":"nope","condition":"and x","append":true}"#, "rule 'nope'", "changes a rule no earlier item defines"),
        ]
        for (item, name, message) in cases {
            let error = try #require(Book.error(Book.rule("ka.verb=create"), item))
            #expect((error.line, error.item, error.message) == (20, name, message))
        }
        let loud = #"{"rule":"r","condition":"ka.verb=create","output":"o","priority":"LOUD","source":"k8s_audit"}"#
        let priority = try #require(Book.error(loud))
        #expect(priority.message.hasPrefix("priority 'LOUD' is not one of EMERGENCY, ALERT, CRITICAL, ERROR, WARNING"))
        #expect((priority.line, priority.column) == (13, 13))
        #expect(priority.description.hasPrefix("test.yaml:13:13: rule 'r': priority 'LOUD'"))
    }
}

/// Sigma detections compiled from JSON, on the sample event.
@Suite struct SigmaConditionTests {
    static func condition(_ detection: String) throws -> Condition {
        let root = RuleNode(json: JSONValue.parse(#"{"title":"t","id":"x","logsource":{"product":"kubernetes","service":"audit"},"detection":\#(detection)}"#)!)
        return try #require(try SigmaRule.load(root, file: "t.yml").rule).condition
    }

    static func holds(_ detection: String, on event: String = Sample.pod) throws -> Bool {
        Sample.holds(try condition(detection), on: event)
    }

    static let choices = #""selection_verb":{"verb":"delete"},"selection_pods":{"objectRef.resource":"pods"},"_filter":{"verb":"get"}"#

    @Test(arguments: [
        ("1 of selection_*", true), ("all of selection_*", false), ("1 of them", true), ("all of them", false),
        ("not selection_verb", true), ("selection_pods and not selection_verb", true),
        ("not (selection_pods or selection_verb)", false), ("selection_verb or (selection_pods and not _filter)", true),
        ("all of selection_* or 1 of them and not _filter", true),
    ])
    func conditionsCombineSelections(_ text: String, _ holds: Bool) throws {
        #expect(try Self.holds("{\(Self.choices),\"condition\":\"\(text)\"}") == holds)
    }

    @Test(arguments: [
        (#""user.groups|all":["system:authenticated","DEV"]"#, true), (#""user.groups|all":["system:authenticated","ops"]"#, false),
        (#""userAgent|contains":"LINUX/amd64""#, true), (#""userAgent|contains":"kubelet""#, false),
        (#""userAgent|startswith":"KUBECTL/""#, true), (#""userAgent|endswith":"3968350""#, true), (#""userAgent|endswith":"kubectl""#, false),
        (#""userAgent|re":"^kubectl/v1\\.[0-9]+\\.""#, true), (#""userAgent|re":"^KUBECTL""#, false),
        (#""sourceIPs|cidr":"10.0.0.0/16""#, true), (#""sourceIPs|cidr":"10.1.0.0/16""#, false),
        (#""sourceIPs|cidr":"fd00::/8""#, true), (#""sourceIPs|cidr":"fe80::/10""#, false),
        (#""objectRef.name":"WEB-*""#, true), (#""objectRef.name":"web-?""#, true), (#""objectRef.name":"web-??""#, false),
        (#""requestURI|contains":"/namespaces/*/pods""#, true),
        (#""impersonatedUser":null"#, true), (#""objectRef.name":null"#, false),
        (#""verb":["delete","CREATE"]"#, true), (#""verb":["delete","patch"]"#, false),
        (#""responseStatus.code":201"#, true), (#""responseStatus.code":"ALLOW""#, true),
        (#""requestObject.spec.containers.image":"fluent/*""#, true), (#""hostPath|startswith":"/etc/""#, true),
    ])
    func selectionValuesAndModifiers(_ selection: String, _ holds: Bool) throws {
        #expect(try Self.holds("{\"selection\":{\(selection)},\"condition\":\"selection\"}") == holds)
    }

    @Test func themLeavesOutNamesStartingWithAnUnderscore() throws {
        #expect(try !Self.holds(#"{"selection":{"verb":"delete"},"_create":{"verb":"create"},"condition":"1 of them"}"#))
        #expect(try Self.holds(#"{"selection":{"verb":"delete"},"_create":{"verb":"create"},"condition":"1 of _*"}"#))
    }

    @Test func keywordsAreFoundAnywhereWithoutCase() throws {
        #expect(try Self.holds(#"{"keywords":["Fluent-Bit","nothing-such"],"condition":"keywords"}"#))
        #expect(try !Self.holds(#"{"keywords":["nothing-such"],"condition":"keywords"}"#))
    }

    /// The condition folds case; the engine's verb prefilter is a separate matter.
    @Test func anUppercaseVerbMatchesALowercaseValue() throws {
        let shouting = Sample.pod.replacingOccurrences(of: #""verb":"create""#, with: #""verb":"CREATE""#)
        #expect(try Self.holds(#"{"selection":{"verb":"create"},"condition":"selection"}"#, on: shouting))
    }
}

@Suite struct GlobAndCIDRTests {
    @Test(arguments: [
        ("a*c", "abbbc", true), ("a*c", "abd", false), ("*", "", true), ("*.yaml", "rules.d/x.yaml", true),
        ("a?c", "abc", true), ("a?c", "ac", false), ("[a-c]x", "bx", true), ("[a-c]x", "dx", false),
        ("[!x]y", "zy", true), ("[!x]y", "xy", false), ("[^x]y", "xy", false), ("a\\*b", "a*b", true), ("a\\*b", "axb", false),
        ("a\\?", "a?", true), ("a\\?", "ab", false), ("system:serviceaccount:*:default", "system:serviceaccount:kube-system:default", true),
    ])
    func globPatterns(_ pattern: String, _ text: String, _ matches: Bool) {
        #expect(Glob.matches(pattern, text) == matches)
    }

    @Test(arguments: [
        ("10.0.0.0/8", "10.255.0.1", true), ("10.0.0.0/8", "11.0.0.1", false), ("10.0.0.0/12", "10.15.255.255", true),
        ("10.0.0.0/12", "10.16.0.0", false), ("0.0.0.0/0", "203.0.113.9", true), ("192.168.1.7", "192.168.1.7", true),
        ("192.168.1.7", "192.168.1.8", false), ("fd00::/8", "fd12:3456::1", true), ("fd00::/8", "fe80::1", false),
        ("10.0.0.0/8", "::ffff:10.1.2.3", true), ("::/0", "10.0.0.1", false), ("10.0.0.0/8", "fd00::1", false),
    ])
    func cidrContains(_ network: String, _ address: String, _ inside: Bool) throws {
        let cidr = try #require(CIDR(network))
        let bytes = try #require(CIDR.address(address))
        #expect(cidr.contains(bytes) == inside)
    }

    @Test func badNetworksAreRejected() {
        #expect(CIDR("10.0.0.0/33") == nil)
        #expect(CIDR("fd00::/129") == nil)
        #expect(CIDR("10.0.0/8") == nil)
        #expect(CIDR("10.0.0.0/x") == nil)
        #expect(CIDR.address("example.com") == nil)
    }
}

@Suite struct OutputTemplateTests {
    static func render(_ template: String) throws -> String {
        let output = try OutputTemplate(template)
        return Array(Sample.pod.utf8).withUnsafeBufferPointer { buffer in
            var reader = EventFieldReader(raw: buffer)
            return output.render(&reader)
        }
    }

    @Test func fieldsPointersListsAndMissingValues() throws {
        #expect(try Self.render("%ka.user.name %ka.verb %ka.target.namespace/%ka.target.name.")
            == "alice@example.com create prod/web-1.")
        #expect(try Self.render("stage=%jevt.value[/stage] image=%jevt.value[/requestObject/spec/containers/1/image]")
            == "stage=ResponseComplete image=fluent/fluent-bit:3.0")
        #expect(try Self.render("groups=%ka.user.groups images=%ka.req.pod.containers.image")
            == "groups=(system:authenticated,dev) images=(nginx:1.27,fluent/fluent-bit:3.0)")
        #expect(try Self.render("as=%ka.impuser.name gone=%jevt.value[/nothing] 100%") == "as=<NA> gone=<NA> 100%")
    }

    @Test func anUnknownFieldIsAnErrorAtItsPlace() throws {
        let error = try #require(#expect(throws: ConditionError.self) { try OutputTemplate("user=%ka.user.nam") })
        #expect(error.offset == 5)
        #expect(error.message == "unknown field 'ka.user.nam'")
    }
}
