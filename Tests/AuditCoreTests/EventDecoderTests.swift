import Foundation
import AuditCore
import Testing

@Suite struct EventDecoderTests {
    @Test func extractsEveryFieldOfAFullEvent() throws {
        let line = #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"7a816f5c-b093-4f2f-8124-0c6083e41cd4","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/pods/api-1/exec?command=sh","verb":"create","user":{"username":"bob","uid":"u-1","groups":["devs","system:authenticated"],"extra":{"k":["v"]}},"impersonatedUser":{"username":"carol","groups":["ops"]},"sourceIPs":["203.0.113.9","10.0.0.1"],"userAgent":"kubectl/v1.30","objectRef":{"resource":"pods","namespace":"payments","name":"api-1","uid":"x","apiGroup":"","apiVersion":"v1","resourceVersion":"5","subresource":"exec"},"responseStatus":{"metadata":{},"status":"Failure","message":"pods \"api-1\" is forbidden","reason":"Forbidden","code":403},"requestObject":{"a":[1,2,{"b":null}]},"responseObject":{"c":true},"requestReceivedTimestamp":"2025-04-01T13:33:57.123456Z","stageTimestamp":"2025-04-01T13:33:57.223456Z","annotations":{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":"no RBAC policy matched","pod-security.kubernetes.io/enforce-policy":"restricted:latest"}}"#
        var got: [String: String] = [:]
        var code = 0
        var received: Int64?
        var stageTime: Int64?
        var groups: [String] = []
        var bad: [MalformedKind] = []
        var copy = line
        copy.withUTF8 { buf in
            EventDecoder().decode(buf, emit: { e in
                for (k, s) in [
                    ("kind", e.kind), ("apiVersion", e.apiVersion), ("level", e.level), ("auditID", e.auditID),
                    ("stage", e.stage), ("uri", e.requestURI), ("verb", e.verb), ("user", e.username), ("uid", e.uid),
                    ("as", e.impersonatedUser), ("ip", e.sourceIP), ("agent", e.userAgent), ("resource", e.resource),
                    ("sub", e.subresource), ("ns", e.namespace), ("name", e.name), ("objVersion", e.objectAPIVersion),
                    ("status", e.status), ("reason", e.reason), ("message", e.message), ("decision", e.decision),
                    ("decisionReason", e.decisionReason), ("annotations", e.annotations), ("raw", e.raw),
                ] { got[k] = e.string(s) }
                code = e.code
                received = e.received
                stageTime = e.stageTime
                EventDecoder.forEachString(base: e.base, array: e.groups) { groups.append(e.string($0)) }
            }, malformed: { bad.append($0) })
        }
        #expect(bad.isEmpty)
        #expect(got["auditID"] == "7a816f5c-b093-4f2f-8124-0c6083e41cd4")
        #expect(got["level"] == "RequestResponse")
        #expect(got["verb"] == "create")
        #expect(got["user"] == "bob" && got["uid"] == "u-1" && got["as"] == "carol")
        #expect(groups == ["devs", "system:authenticated"])
        #expect(got["ip"] == "203.0.113.9")
        #expect(got["resource"] == "pods" && got["sub"] == "exec" && got["ns"] == "payments" && got["name"] == "api-1")
        #expect(got["objVersion"] == "v1")
        #expect(code == 403 && got["status"] == "Failure" && got["reason"] == "Forbidden")
        #expect(got["message"] == #"pods "api-1" is forbidden"#)
        #expect(got["decision"] == "forbid" && got["decisionReason"] == "no RBAC policy matched")
        #expect(got["annotations"]?.contains("pod-security.kubernetes.io/enforce-policy") == true)
        #expect(got["raw"] == line)
        #expect(received == Timestamp.parse("2025-04-01T13:33:57.123456Z"))
        #expect(stageTime! - received! == 100_000)
    }

    @Test(arguments: [
        ("truncated", "{\"kind\":\"Event\",\"auditID\":\"a\",\"verb\":\"get", MalformedKind.truncated),
        ("not JSON", "this is not json", .invalidJSON),
        ("bad token", "{\"kind\":\"Event\",\"auditID\":tru}", .invalidJSON),
        ("missing comma", "{\"a\":1 \"b\":2}", .invalidJSON),
        ("trailing garbage", "{\"kind\":\"Event\",\"auditID\":\"a\",\"verb\":\"get\"} x", .invalidJSON),
        ("other object", "{\"kind\":\"Pod\",\"metadata\":{}}", .notAnEvent),
        ("number", "42", .invalidJSON),
        ("invalid UTF-8", "{\"kind\":\"Event\",\"auditID\":\"a\",\"verb\":\"g\u{FF}\"}", .invalidUTF8),
        ("NUL in string", "{\"kind\":\"Event\",\"auditID\":\"a\u{0}b\",\"verb\":\"get\"}", .nulByte),
        ("bad escape", "{\"kind\":\"Event\",\"auditID\":\"a\\qb\",\"verb\":\"get\"}", .invalidJSON),
        // Cut right after a member's colon, inside envelopes whose readers look at the
        // value's first byte (the fuzzer found a read past the end here).
        ("cut after a colon (Pub/Sub)", "{\"message\": {\"data\": ", .truncated),
        ("cut after a colon (Kinesis)", "{\"Records\":[{\"kinesis\":", .truncated),
        ("cut after a colon (user)", "{\"kind\":\"Event\",\"user\":{\"extra\":", .truncated),
    ])
    func countsBadDocumentsByKind(_ name: String, _ text: String, _ kind: MalformedKind) {
        var bytes = Array(text.utf8)
        if name == "invalid UTF-8" {
            // Replace the encoded U+00FF (C3 BF) with a lone continuation byte.
            let i = bytes.firstIndex(of: 0xC3)!
            bytes.replaceSubrange(i...(i + 1), with: [0xBF])
        }
        var kinds: [MalformedKind] = []
        var events = 0
        bytes.withUnsafeBufferPointer { EventDecoder().decode($0, emit: { _ in events += 1 }, malformed: { kinds.append($0) }) }
        #expect(events == 0, "\(name)")
        #expect(kinds == [kind], "\(name)")
    }

    @Test func absurdNestingIsTooDeepNotACrash() {
        let deep = "{\"kind\":\"Event\",\"auditID\":\"a\",\"verb\":\"get\",\"requestObject\":" + String(repeating: "[", count: 100_000)
            + String(repeating: "]", count: 100_000) + "}"
        var kinds: [MalformedKind] = []
        var copy = deep
        copy.withUTF8 { EventDecoder().decode($0, emit: { _ in }, malformed: { kinds.append($0) }) }
        #expect(kinds == [.tooDeep])
    }

    @Test func decodesEventListArrayAndAzureEnvelopes() {
        let a = Fixture.event(id: Fixture.id(1))
        let b = Fixture.event(id: Fixture.id(2))
        let escaped = b.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let inputs: [(String, Int)] = [
            ("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":[\(a),\(b)]}", 2),
            ("[\(a),\(b)]", 2),
            ("{\"records\":[{\"category\":\"kube-audit\",\"properties\":{\"log\":\"\(escaped)\"}},{\"properties\":{\"log\":\(a)}}]}", 2),
            ("{\"operationName\":\"x\",\"properties\":{\"log\":\"\(escaped)\"}}", 1),
        ]
        for (text, expected) in inputs {
            let store = Fixture.store(text)
            #expect(store.counters.ingested == expected, "\(text.prefix(40))")
            #expect(store.counters.malformed.total == 0)
        }
    }

    @Test func aBadItemInAListIsCountedAndItsNeighboursKept() {
        let list = "{\"kind\":\"EventList\",\"items\":[\(Fixture.event(id: Fixture.id(1))),{\"kind\":\"Pod\"},42,\(Fixture.event(id: Fixture.id(2)))]}"
        let store = Fixture.store(list)
        #expect(store.counters.ingested == 2)
        #expect(store.counters.malformed[.notAnEvent] == 2)
    }

    @Test func aBrokenItemCostsOnlyItself() {
        let list = "[\(Fixture.event(id: Fixture.id(1))),6,{\"kind\":\"Pod\"},{\"x\":tru},\(Fixture.event(id: Fixture.id(2)))]"
        let store = Fixture.store(list)
        #expect(store.counters.ingested == 2)
        #expect(store.counters.malformed[.invalidJSON] == 1)
        #expect(store.counters.malformed[.notAnEvent] == 2)
    }

    @Test func aListThatNeverEndsCountsOnceAndKeepsTheEventsBeforeTheDamage() {
        let list = "[\(Fixture.event(id: Fixture.id(1))),\(Fixture.event(id: Fixture.id(2))),{\"x\":[1,"
        let store = Fixture.store(list)
        #expect(store.counters.ingested == 2)
        #expect(store.counters.malformed.total == 1)
    }

    /// The webhook's case: an EventList whose first item has a raw NUL or a byte that is not
    /// UTF-8 in a string. That item is counted by kind; the other 99 are kept, as a file's
    /// lines would be.
    @Test(arguments: [(UInt8(0x00), MalformedKind.nulByte), (UInt8(0xFF), MalformedKind.invalidUTF8)])
    func aBadByteInTheFirstItemOfABatchLosesOnlyThatItem(byte: UInt8, kind: MalformedKind) {
        let items = (1...100).map { Fixture.event(id: Fixture.id($0), user: $0 == 1 ? "bad#user" : "alice@example.com") }
        var body = Array("{\"kind\":\"EventList\",\"items\":[\(items.joined(separator: ","))]}".utf8)
        let mark = body.firstIndex(of: UInt8(ascii: "#"))!
        body[mark] = byte
        let batch = EventStore()
        body.withUnsafeBufferPointer { batch.document($0) }
        #expect(batch.counters.ingested == 99)
        #expect(batch.counters.malformed[kind] == 1 && batch.counters.malformed.total == 1)
        // The same items as lines: the same events kept, the same item counted.
        var lines = Array(items.joined(separator: "\n").utf8) + [0x0A]
        lines[lines.firstIndex(of: UInt8(ascii: "#"))!] = byte
        let file = EventStore()
        var framer = StreamDecoder()
        lines.withUnsafeBufferPointer { framer.feed($0, to: file) }
        framer.finish(to: file)
        #expect(file.counters.ingested == batch.counters.ingested)
        #expect(file.counters.malformed[kind] == 1)
    }

    @Test func olderVersionsAndLegacyTimestampsDecode() {
        let v1beta1 = #"{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1","metadata":{"creationTimestamp":"2018-10-25T13:58:49Z"},"level":"Request","timestamp":"2018-10-25T13:58:49Z","auditID":"a1","stage":"ResponseComplete","requestURI":"/api","verb":"get","user":{"username":"minikube-user"}}"#
        let noVersion = #"{"kind":"Event","level":"Metadata","auditID":"a2","stage":"ResponseComplete","requestURI":"/api","verb":"get","user":{"username":"u"},"requestReceivedTimestamp":"2018-10-25T13:58:49.123456Z","stageTimestamp":"2018-10-25T13:58:49.223456Z"}"#
        let store = Fixture.store(v1beta1 + "\n" + noVersion + "\n")
        #expect(store.counters.ingested == 2)
        let entries = store.entries()
        #expect(entries[0].received == Timestamp.parse("2018-10-25T13:58:49Z"))
        #expect(entries[0].level == .request)
        #expect(entries[1].stageTime - entries[1].received == 100_000)
    }

    @Test func legacyTextLinesDecodeToEvents() {
        let line = #"2017-02-15T10:48:30.120929683+01:00 AUDIT: id="5c1ee0a1-2a66-4b4e-8f0b-54a5a9a3c1f2" stage="ResponseComplete" ip="10.2.3.4" method="delete" user="bob" groups="\"devs\",\"system:authenticated\"" as="<self>" asgroups="<lookup>" user-agent="kubectl/v1.9 \"quoted\"" namespace="payments" uri="/apis/apps/v1/namespaces/payments/deployments/api" response="403""#
        let store = Fixture.store(line + "\n")
        #expect(store.counters.ingested == 1)
        #expect(store.counters.malformed.total == 0)
        let e = store.entries()[0]
        let s = store.strings
        #expect(s.string(e.verb) == "delete")
        #expect(s.string(e.user) == "bob")
        #expect(s.string(e.groups) == "devs\nsystem:authenticated")
        #expect(s.string(e.userAgent) == #"kubectl/v1.9 "quoted""#)
        #expect(s.string(e.apiGroup) == "apps" && s.string(e.resource) == "deployments" && s.string(e.name) == "api")
        #expect(s.string(e.namespace) == "payments")
        #expect(e.code == 403 && e.isDenied)
        #expect(e.received == Timestamp.parse("2017-02-15T09:48:30.120929Z"))
    }

    /// Found by fuzzing (Fuzz/run.sh decoder): an octal escape followed by bytes that are not
    /// octal digits (`\02-`) subtracted below zero and trapped, ending the process. Such a line
    /// is not the legacy format: it is counted as malformed, and its neighbours decode.
    @Test(arguments: [#"user="b\02-x""#, #"user="b\0""#, #"groups="\"devs\",\09""#, #"user="\8zz""#])
    func aBadOctalEscapeInALegacyLineIsMalformedNotACrash(_ field: String) {
        let line = #"2017-02-15T10:48:30.120929683+01:00 AUDIT: id="5c1ee0a1-2a66-4b4e-8f0b-54a5a9a3c1f2" stage="ResponseComplete" method="get" "#
        let next = line.replacingOccurrences(of: "c1f2", with: "c1f3")
        let store = Fixture.store(line + field + "\n" + next + #"user="bob""# + "\n")
        #expect(store.counters.ingested + store.counters.malformed.total == 2)
        #expect(store.counters.ingested >= 1)
    }

    /// Found by fuzzing (Fuzz/run.sh decoder, AddressSanitizer): a list cut right after a comma
    /// (`[EVENT,` and whitespace, at the end of the buffer) read the byte past the document's
    /// end. The cut is now seen before the next element is read: the event before it is
    /// kept, and the cut is counted once.
    @Test(arguments: ["[\(Fixture.event()),", "[\(Fixture.event()),  \n", "{\"kind\":\"EventList\",\"items\":[\(Fixture.event()),"])
    func aListCutAfterACommaKeepsItsEventsAndCountsTheCut(_ text: String) {
        var kept = 0
        var bad: [MalformedKind] = []
        // The document alone in its buffer, so a read past its end would leave it.
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { EventDecoder().decode($0, emit: { _ in kept += 1 }, malformed: { bad.append($0) }) }
        #expect(kept == 1)
        #expect(bad == [.truncated])
    }
}
