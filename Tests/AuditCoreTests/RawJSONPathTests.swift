import AuditTestSupport
import Foundation
import Testing

@testable import AuditCore

/// The body fields are read by following their path through the JSON bytes (`RawJSONPath`),
/// not from a parsed tree. These tests hold that reading to the tree's answers: Falco's
/// `getValuesRecursive` over `JSONValue`, written out here as the plugin defines it.
@Suite struct RawJSONPathTests {
    /// The tree reading: follows `keys` from the top-level member, fanning out over arrays
    /// (or taking element `index`); nil when missing before any array, a nil per element
    /// that lacks the rest.
    static func reference(_ doc: JSONValue, _ keys: [String], _ index: Int?) -> [JSONValue?]? {
        guard let top = doc[keys[0]] else { return nil }
        func walk(_ value: JSONValue, _ rest: ArraySlice<String>, _ index: Int?) -> [JSONValue?]? {
            var here = value
            var rest = rest
            while let k = rest.first {
                if case .array(let items) = here {
                    if let index {
                        guard index >= 0, index < items.count else { return nil }
                        here = items[index]
                    } else {
                        return items.map { walk($0, rest, nil) }.flatMap { $0 ?? [nil] }
                    }
                }
                if !k.isEmpty {
                    guard let next = here[k] else { return nil }
                    here = next
                }
                rest = rest.dropFirst()
            }
            return [here]
        }
        return walk(top, keys.dropFirst(), index)
    }

    /// Paths the rules read, and some they could.
    static let paths: [[String]] = [
        ["requestObject"], ["requestObject", "spec", "containers", "image"],
        ["requestObject", "spec", "containers", "securityContext", "privileged"],
        ["requestObject", "spec", "initContainers", "image"], ["requestObject", "spec", "volumes", "hostPath", "path"],
        ["requestObject", "spec", "hostNetwork"], ["requestObject", "spec", "containers", "ports", "hostPort"],
        ["requestObject", "subjects", "name"], ["requestObject", "rules", "verbs"], ["requestObject", "roleRef", "name"],
        ["requestObject", "data"], ["responseObject", "metadata", "name"], ["user", "groups"], ["objectRef", "name"],
        ["annotations", "authorization.k8s.io/decision"], ["requestObject", "spec", "containers", "", "name"],
        ["requestObject", "nope", "deeper"], ["sourceIPs"],
    ]

    static func compare(_ line: [UInt8], _ label: String) throws {
        let doc = try #require(line.withUnsafeBufferPointer { JSONValue.parse($0) }, "\(label) parses")
        // As read (large values indexed), with every object and array indexed, and with none.
        for indexFrom in [512, 0, Int.max] {
            line.withUnsafeBufferPointer { raw in
                for keys in paths {
                    for index in [nil, 0, 1, 2, 5] as [Int?] {
                        var reader = EventFieldReader(raw: raw)
                        reader.indexFrom = indexFrom
                        let got = reader.values(keys, index: index)
                        let want = reference(doc, keys, index)
                        #expect(got == want, "\(label): \(keys) [\(index.map(String.init) ?? "all")] indexing from \(indexFrom)")
                        // Asked twice (several rules read one field), the answer is the same.
                        #expect(reader.values(keys, index: index) == want)
                    }
                    var reader = EventFieldReader(raw: raw)
                    reader.indexFrom = indexFrom
                    var here: JSONValue? = doc
                    for k in keys { here = here?[k] }
                    #expect(reader.at(keys) == here, "\(label): at \(keys) indexing from \(indexFrom)")
                }
            }
        }
    }

    @Test func aPodBodyReadsAsTheTreeReadsIt() throws {
        // Containers with and without each field, an escaped key, a repeated key (the first
        // counts), nested arrays, whitespace, and a key that is a prefix of another.
        let pod = """
            {"kind":"Event","objectRef":{"name":"web-1"}, "user":{"username":"u","groups":["a","b"]},
             "requestObject" : { "spec": {"hostNetwork": true, "hostNetwork": false,
               "containers": [ {"name":"a","image":"nginx:1","securityContext":{"privileged":true},"ports":[{"hostPort":80},{"containerPort":1}]},
                               {"name":"b","image":"busybox","securityContext":{}},
                               {"name":"c","imag":"x","image\\u0000":"y"},
                               {"na\\u006de":"d","image":"esc"} ],
               "initContainers": [],
               "volumes": [{"name":"v","hostPath":{"path":"/etc"}},{"name":"w","emptyDir":{}},{"hostPath":{"path":"/proc","type":""}}]},
             "subjects": [[{"name":"nested"}]], "rules": [{"verbs":["get","list"]},{"verbs":"*"}], "data": null},
             "sourceIPs":["10.0.0.1"]}
            """
        try Self.compare(Array(pod.utf8), "crafted pod")
        let images = Array(pod.utf8).withUnsafeBufferPointer { raw in
            var r = EventFieldReader(raw: raw)
            return r.values(["requestObject", "spec", "containers", "image"], index: nil)
        }
        #expect(images == [.string("nginx:1"), .string("busybox"), nil, .string("esc")])
    }

    /// Where each object and array opens, outside strings, in order.
    static func openings(_ bytes: [UInt8]) -> [Int] {
        var out: [Int] = []
        var inString = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if inString {
                if b == UInt8(ascii: "\\") { i += 1 } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                out.append(i)
            }
            i += 1
        }
        return out
    }

    /// The container index holds, for every object and array, the end the validating skip
    /// finds; past its limit it holds the first ones and says nothing of the rest.
    static func checkContainerEnds(_ line: [UInt8], _ label: String) throws {
        let opens = openings(line)
        try line.withUnsafeBufferPointer { raw in
            let base = try #require(raw.baseAddress)
            guard let ends = ContainerEnds(base, 0..<raw.count) else {
                #expect(opens.isEmpty, "\(label): no index, yet \(opens.count) containers")
                return
            }
            #expect(ends.count == min(opens.count, ContainerEnds.limit, raw.count / 16 + 64), "\(label)")
            for (k, o) in opens.enumerated() {
                var c = JSONCursor(base: base, start: o, end: raw.count, maxDepth: 512)
                try c.skipValue(depth: 0)
                #expect(ends.end(of: o) == (k < ends.count ? c.i : nil), "\(label): container at \(o)")
                #expect(ends.end(of: o + 1) == nil || opens.contains(o + 1))
            }
        }
    }

    @Test func theContainerIndexFindsWhereEachObjectAndArrayEnds() throws {
        let samples = [
            #"{"a":{"b":[1,{"c":"}]"}],"d":"\"{["},"e":[[],[[]],{}]}"#,
            #"  [ {"k" : "v\\"} , [ "x\"]" ] ]  "#,
            #"{"n\u007b":"é{","deep":[[[[[[{"z":null}]]]]]]}"#,
            "\"just a string\"", "12.5e3", "true", "{}", "[]",
            // More containers than a short value's index holds.
            "[" + Array(repeating: "[]", count: 100).joined(separator: ",") + "]",
        ]
        for sample in samples { try Self.checkContainerEnds(Array(sample.utf8), sample) }
        // A value that does not close, or closes what it never opened, gives no index.
        for broken in [#"{"a":[1,2"#, #"]"#, #"{"a":"unterminated}"#] {
            let ends = Array(broken.utf8).withUnsafeBufferPointer { ContainerEnds($0.baseAddress!, 0..<$0.count) }
            #expect(ends == nil, "\(broken)")
        }
    }

    @Test(.needsCorpus) func theContainerIndexAgreesOnEveryRealEvent() throws {
        var events = 0
        let real = CorpusLocation.root.appendingPathComponent("real-events.jsonl")
        for line in try Data(contentsOf: real).split(separator: 0x0A) where line.contains(UInt8(ascii: "{")) {
            try Self.checkContainerEnds(Array(line), "real-events.jsonl #\(events)")
            events += 1
        }
        #expect(events > 100)
    }

    @Test(.needsCorpus) func everyFalcoTraceAndRealEventReadsAsTheTreeReadsIt() throws {
        let traces = CorpusLocation.root.appendingPathComponent("falcosecurity__falco/test/trace_files/k8s_audit")
        var files = try FileManager.default.contentsOfDirectory(at: traces, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
        files.append(CorpusLocation.root.appendingPathComponent("real-events.jsonl"))
        var events = 0
        for file in files.sorted(by: { $0.path < $1.path }) {
            for line in try Data(contentsOf: file).split(separator: 0x0A) where line.contains(UInt8(ascii: "{")) {
                try Self.compare(Array(line), file.lastPathComponent)
                events += 1
            }
        }
        #expect(events > 100)
    }
}
