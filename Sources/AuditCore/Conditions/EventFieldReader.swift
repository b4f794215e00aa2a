import Foundation

/// Reads rule fields from one event: the decoded ones from its ring entry, everything else
/// from its raw JSON. The raw JSON is looked at only when a rule asks for such a field, and
/// then only the values at the field's path are parsed (`RawJSONPath` skips the rest).
public struct EventFieldReader: FieldReader {
    private(set) var raw: UnsafeBufferPointer<UInt8>
    private(set) var entry: RingEntry?
    private(set) var strings: StringInterner?
    /// For `audittop.*` fields: who identities are, and which requests are probes.
    unowned(unsafe) private(set) var store: EventStore?
    unowned(unsafe) private(set) var engine: RuleEngine?
    /// Top-level members scanned so far: where each value lies in `raw`.
    private var members: [(key: String, range: Range<Int>)] = []
    /// Where the scan goes on (0: not started; -1: done).
    private var scanAt = 0
    /// The decoded fields' texts made so far (few: a linear search beats hashing).
    private var texts: [(UInt32, String)] = []
    private var codeText: String?
    /// Where `requestURI`'s text lies in `raw`, when the decoder said; and the text, once made.
    private var uriSpan: Span?
    private var uriText: String?
    /// The paths read so far, and what they gave (a rule's fields repeat across rules).
    private var paths: [(keys: [String], index: Int?, found: [JSONValue?]?)] = []
    /// The objects and arrays of the JSON read so far.
    private var body: RawJSONPath?
    private var bodySpan: Span?
    /// Values this long or longer are indexed before their first scan (`RawJSONPath`).
    var indexFrom = 512
    private var whole: JSONValue??

    /// An event known only by its JSON (`rules check`, tests, the detectors that read a
    /// body). `body`: where the decoder found `requestObject`'s value (empty: it found none;
    /// nil: not known).
    public init(raw: UnsafeBufferPointer<UInt8>) { self.init(raw: raw, body: nil) }

    init(raw: UnsafeBufferPointer<UInt8>, body: Span?) {
        self.raw = raw
        entry = nil
        strings = nil
        store = nil
        engine = nil
        internTag = nil
        bodySpan = body
    }

    init(raw: UnsafeBufferPointer<UInt8>, entry: RingEntry, store: EventStore, engine: RuleEngine, uri: Span = .empty, body: Span? = nil) {
        self.init(raw: raw, entry: entry, strings: store.strings, store: store, engine: engine, uri: uri, body: body)
    }

    /// `store` nil: `audittop.*` fields are read from the JSON alone. `body`: where the
    /// decoder found `requestObject`'s value (empty: it found none; nil: not known).
    init(raw: UnsafeBufferPointer<UInt8>, entry: RingEntry, strings: StringInterner, store: EventStore?, engine: RuleEngine, uri: Span,
         body: Span? = nil) {
        self.raw = raw
        uriSpan = uri.isEmpty ? nil : uri
        bodySpan = body
        self.entry = entry
        self.strings = strings
        self.store = store
        self.engine = engine
        internTag = (ObjectIdentifier(strings), strings.epoch)
    }

    /// The interner the ring entry's ids are from, and its generation (nil: no ring entry).
    private(set) var internTag: (ObjectIdentifier, Int)?

    /// Starts over on another event, as the initializer with a ring entry does (with no
    /// entry: as `init(raw:body:)`), keeping its tables' storage. The rule engine keeps one
    /// reader for all its events: most reach no rule that reads a field, and a reader made
    /// and dropped for each of them cost more than their rules.
    mutating func restart(raw: UnsafeBufferPointer<UInt8>, entry: RingEntry?, store: EventStore?, engine: RuleEngine?, uri: Span,
                          body: Span?) {
        self.raw = raw
        self.entry = entry
        self.store = store
        self.engine = engine
        strings = store?.strings
        internTag = store.map { (ObjectIdentifier($0.strings), $0.strings.epoch) }
        uriSpan = uri.isEmpty ? nil : uri
        uriText = nil
        bodySpan = body
        members.removeAll(keepingCapacity: true)
        scanAt = 0
        texts.removeAll(keepingCapacity: true)
        codeText = nil
        paths.removeAll(keepingCapacity: true)
        self.body = nil
        whole = nil
    }

    /// `body` on `requestURI`'s bytes where the decoder found them unescaped (nil: it did not).
    func withURIBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        guard let span = uriSpan, !span.escaped, let base = raw.baseAddress else { return nil }
        return body(UnsafeBufferPointer(start: base + span.start, count: span.count))
    }

    /// The request carried no body this field needs (its policy level is below Request).
    var lacksBody: Bool {
        if let entry { return entry.level != .request && entry.level != .requestResponse }
        return false
    }

    public mutating func value(of field: EventField) -> FieldValue? {
        switch field {
        case .path(let keys): return pathValue(keys)
        case .falco(let f, let argument): return falco(f, argument)
        case .audittop(let f): return audittop(f)
        }
    }

    /// The ring entry's id for a decoded field (0: no value; nil: no ring entry, or a field
    /// it does not hold as an id).
    @inline(__always) func decodedID(_ f: FalcoField) -> UInt32? {
        guard let e = entry else { return nil }
        switch f {
        case .verb: return e.verb
        case .userName: return e.user
        case .targetResource: return e.resource
        case .targetSubresource: return e.subresource
        case .targetNamespace: return e.namespace
        case .targetName: return e.name
        case .userAgent: return e.userAgent
        case .impersonatedUser: return e.impersonatedUser
        default: return nil
        }
    }

    /// The id of `id`'s string lowercased (0: that string was never interned), or nil with no
    /// store.
    func foldedID(_ id: UInt32) -> UInt32? {
        guard let engine, let strings else { return nil }
        return id == 0 ? 0 : engine.lowercased(id, strings)
    }

    /// The decoded field `field` names, for a Falco field or a Sigma path the ring entry holds.
    static func decodedField(_ field: EventField) -> FalcoField? {
        switch field {
        case .falco(let f, nil): f
        case .path(let keys): decodedPaths[keys]
        default: nil
        }
    }

    // MARK: the JSON

    /// Where the top-level member `key`'s value lies. The members are scanned only as far as
    /// needed (`requestURI` comes early; a body late), and what was scanned is remembered.
    private mutating func span(of key: String) -> Range<Int>? {
        if let b = bodySpan, key == "requestObject" { return b.isEmpty ? nil : b.start..<(b.start + b.count) }
        if let hit = members.first(where: { $0.key == key }) { return hit.range }
        guard scanAt >= 0, let base = raw.baseAddress else { return nil }
        var c = JSONCursor(base: base, start: scanAt, end: raw.count, maxDepth: 256)
        do {
            if scanAt == 0 {
                try c.expect(UInt8(ascii: "{"))
                if try c.peek() == UInt8(ascii: "}") { scanAt = -1; return nil }
            }
            while true {
                c.skipWhitespace()
                let k = try c.string()
                try c.expect(UInt8(ascii: ":"))
                c.skipWhitespace()
                let start = c.i
                try c.skipValue(depth: 1)
                let name = JSONText.string(base: base, span: k)
                members.append((name, start..<c.i))
                let more = try c.nextMember(close: UInt8(ascii: "}"))
                scanAt = more ? c.i : -1
                if name == key { return start..<(members.last!.range.upperBound) }
                if !more { return nil }
            }
        } catch {
            scanAt = -1
            return nil
        }
    }

    /// The value at `keys` (first key a top-level member).
    mutating func at(_ keys: [String]) -> JSONValue? {
        guard let first = keys.first, var here = span(of: first), let base = raw.baseAddress else { return nil }
        var json = body.take() ?? RawJSONPath(base: base, indexFrom: indexFrom)
        defer { body = json }
        for k in keys.dropFirst() {
            guard let next = json.member(k, of: here) else { return nil }
            here = next
        }
        return json.value(here)
    }

    /// Calls `body` with each element of the array at `keys` (first key a top-level member),
    /// and the reader to follow paths inside it; nothing when there is no such array.
    mutating func forEachElement(of keys: [String], _ each: (inout RawJSONPath, Range<Int>) -> Void) {
        guard let first = keys.first, var here = span(of: first), let base = raw.baseAddress else { return }
        var json = body.take() ?? RawJSONPath(base: base, indexFrom: indexFrom)
        defer { body = json }
        for k in keys.dropFirst() {
            guard let next = json.member(k, of: here) else { return }
            here = next
        }
        for item in json.elements(of: here) ?? [] { each(&json, item) }
    }

    /// Falco's `getValuesRecursive`: follows `keys`, fanning out over arrays on the way (or
    /// taking element `index`); nil when the path is missing before any array, and a nil
    /// element for each array element that lacks the rest.
    mutating func values(_ keys: [String], index: Int?) -> [JSONValue?]? {
        for p in paths where p.index == index && p.keys == keys { return p.found }
        guard let first = keys.first, let top = span(of: first), let base = raw.baseAddress else { return nil }
        var json = body.take() ?? RawJSONPath(base: base, indexFrom: indexFrom)
        let found = Self.recurse(&json, top, keys.dropFirst(), index)
        body = json
        paths.append((keys, index, found))
        return found
    }

    private static func recurse(_ json: inout RawJSONPath, _ value: Range<Int>, _ keys: ArraySlice<String>, _ index: Int?) -> [JSONValue?]? {
        var here = value
        var rest = keys
        while let k = rest.first {
            if let items = json.elements(of: here) {
                if let index {
                    guard index >= 0, index < items.count else { return nil }
                    here = items[index]
                } else {
                    return items.map { item in recurse(&json, item, rest, nil) }.flatMap { $0 ?? [nil] }
                }
            }
            if k.isEmpty {
                // Falco's `Get()` with no key: the value itself.
            } else {
                guard let next = json.member(k, of: here) else { return nil }
                here = next
            }
            rest = rest.dropFirst()
        }
        guard let v = json.value(here) else { return nil }
        return [v]
    }

    /// Sigma's paths that name a field the ring entry holds.
    static let decodedPaths: [[String]: FalcoField] = [
        ["verb"]: .verb, ["user", "username"]: .userName, ["userAgent"]: .userAgent, ["stage"]: .stage,
        ["objectRef", "resource"]: .targetResource, ["objectRef", "subresource"]: .targetSubresource,
        ["objectRef", "namespace"]: .targetNamespace, ["objectRef", "name"]: .targetName,
        ["impersonatedUser", "username"]: .impersonatedUser, ["responseStatus", "code"]: .responseCode,
    ]

    /// `requestURI`, from the decoder's span when there is one.
    private mutating func uri() -> FieldValue? {
        if let uriText { return .one(uriText) }
        guard let span = uriSpan, let base = raw.baseAddress else { return at(["requestURI"]).map { .one($0.text) } }
        let text = JSONText.string(base: base, span: span)
        uriText = text
        return .one(text)
    }

    private mutating func pathValue(_ keys: [String]) -> FieldValue? {
        if keys == ["requestURI"] { return uri() }
        if entry != nil, keys.count <= 2, let f = Self.decodedPaths[keys] { return falco(f, nil) }
        if let e = entry, let strings, keys == ["objectRef", "apiGroup"] { return e.apiGroup == 0 ? nil : .one(strings.string(e.apiGroup)) }
        guard let found = values(keys, index: nil) else { return nil }
        var out: [String] = []
        for v in found {
            guard let v, !v.isNull else { continue }
            if case .array(let items) = v { out += items.filter { !$0.isNull }.map(\.text) } else { out.append(v.text) }
        }
        if out.isEmpty { return nil }
        return out.count == 1 ? .one(out[0]) : .list(out)
    }

    // MARK: Falco's fields

    /// A decoded field's text, made once per event however many rules ask.
    private mutating func decoded(_ id: UInt32) -> FieldValue? {
        guard id != 0, let strings else { return nil }
        for (k, v) in texts where k == id { return .one(v) }
        let text = strings.string(id)
        texts.append((id, text))
        return .one(text)
    }

    private mutating func single(_ keys: String...) -> FieldValue? { at(keys).map { .one($0.text) } }

    private mutating func list(_ keys: String...) -> FieldValue? {
        guard let items = at(keys)?.array else { return nil }
        return .list(items.map(\.text))
    }

    private static func strings(_ values: [JSONValue?]) -> [String] {
        values.compactMap { $0 }.map(\.text)
    }

    private mutating func falco(_ f: FalcoField, _ argument: String?) -> FieldValue? {
        let index = argument.flatMap(Int.init)
        if let e = entry {
            switch f {
            case .verb: return decoded(e.verb)
            case .userName: return decoded(e.user)
            case .targetResource: return decoded(e.resource)
            case .targetSubresource: return decoded(e.subresource)
            case .targetNamespace: return decoded(e.namespace)
            case .targetName: return decoded(e.name)
            case .impersonatedUser: return decoded(e.impersonatedUser)
            case .userAgent: return decoded(e.userAgent)
            case .stage: return e.stage == .unknown ? nil : .one(e.stage.name)
            case .jsonValue where argument == "/stage": return e.stage == .unknown ? nil : .one(e.stage.name)
            case .authDecision: return e.decision == .none ? nil : .one(e.decision.name)
            case .responseCode:
                guard e.code >= 0 else { return nil }
                if codeText == nil { codeText = String(e.code) }
                return .one(codeText!)
            default: break
            }
        }
        switch f {
        case .auditID: return single("auditID")
        case .stage: return single("stage")
        case .authDecision: return single("annotations", "authorization.k8s.io/decision")
        case .authReason: return single("annotations", "authorization.k8s.io/reason")
        case .userName: return single("user", "username")
        case .userGroups: return list("user", "groups")
        case .impersonatedUser: return single("impersonatedUser", "username")
        case .verb: return single("verb")
        case .uri: return uri()
        case .uriParam:
            guard case .one(let uri)? = uri(), let argument else { return nil }
            guard let items = URLComponents(string: uri)?.queryItems, let v = items.first(where: { $0.name == argument }) else { return nil }
            return .one(v.value ?? "")
        case .targetName, .configMapName: return single("objectRef", "name")
        case .targetNamespace: return single("objectRef", "namespace")
        case .targetResource: return single("objectRef", "resource")
        case .targetSubresource: return single("objectRef", "subresource")
        case .bindingSubjects: return list("requestObject", "subjects")
        case .bindingRole: return single("requestObject", "roleRef", "name")
        case .bindingSubjectHasName: return .one("true")
        case .configMapObject: return single("requestObject", "data")
        case .firstImage: return images(.containers, index: 0).map { .one($0[0]) }
        case .firstImageRepository: return images(.containers, index: 0).map { .one(Self.repository($0[0])) }
        case .hostIPC: return single("requestObject", "spec", "hostIPC")
        case .hostNetwork: return single("requestObject", "spec", "hostNetwork")
        case .hostPID: return single("requestObject", "spec", "hostPID")
        case .anyPrivileged:
            guard let found = values(["requestObject", "spec", "containers", "securityContext", "privileged"], index: nil) else { return nil }
            return .one(found.contains { $0 == .bool(true) } ? "true" : "false")
        case .podRunAsUser: return single("requestObject", "spec", "securityContext", "runAsUser")
        case .podRunAsGroup: return single("requestObject", "spec", "securityContext", "runAsGroup")
        case .podFSGroup: return single("requestObject", "spec", "securityContext", "fsGroup")
        case .supplementalGroups: return list("requestObject", "spec", "securityContext", "supplementalGroups")
        case .container(let set, let attribute): return container(set, attribute, index: index)
        case .roleRules: return list("requestObject", "rules")
        case .roleRulesField(let key):
            guard let found = values(["requestObject", "rules", key], index: index) else { return nil }
            return .list(found.compactMap { $0?.array }.flatMap { $0.map(\.text) })
        case .serviceType: return single("requestObject", "spec", "type")
        case .servicePorts:
            return values(["requestObject", "spec", "ports"], index: index).map { .list(Self.strings($0)) }
        case .volumeHostPaths:
            return values(["requestObject", "spec", "volumes", "hostPath", "path"], index: index).map { .list(Self.strings($0)) }
        case .volumeHostPathUsed:
            guard let argument, let found = values(["requestObject", "spec", "volumes", "hostPath", "path"], index: nil) else { return nil }
            let prefix = argument.hasSuffix("*") ? String(argument.dropLast()) : nil
            let hit = Self.strings(found).contains { prefix.map($0.hasPrefix) ?? ($0 == argument) }
            return .one(hit ? "true" : "false")
        case .flexVolumeDrivers:
            return values(["requestObject", "spec", "volumes", "flexVolume", "driver"], index: index).map { .list(Self.strings($0)) }
        case .volumeTypes:
            guard let found = values(["requestObject", "spec", "volumes", ""], index: index) else { return nil }
            var out: [String] = []
            for case .object(let members)? in found { out += members.map(\.key).filter { $0 != "name" } }
            return .list(out)
        case .responseName: return single("responseObject", "metadata", "name")
        case .responseCode: return single("responseStatus", "code")
        case .responseReason: return single("responseStatus", "reason")
        case .userAgent: return single("userAgent")
        case .sourceIPs:
            guard let items = at(["sourceIPs"])?.array else { return nil }
            if let index { return index >= 0 && index < items.count ? .list([items[index].text]) : nil }
            return .list(items.map(\.text))
        case .clusterName: return nil
        case .jsonValue:
            guard let argument else { return nil }
            if argument.isEmpty { return .one(document()?.json ?? "") }
            return document()?.pointer(argument).map { .one($0.text) }
        case .jsonObject: return .one(String(decoding: raw, as: UTF8.self))
        case .rawTime:
            if let e = entry, e.stageTime != 0 { return .one(String(e.stageTime * 1000)) }
            guard let t = at(["stageTimestamp"])?.text, let micros = Timestamp.parse(t) else { return nil }
            return .one(String(micros * 1000))
        }
    }

    private mutating func document() -> JSONValue? {
        if let whole { return whole }
        let v = JSONValue.parse(raw)
        whole = .some(v)
        return v
    }

    /// Images of the pod's containers (nil when any lacks one, as the plugin does).
    private mutating func images(_ set: ContainerSet, index: Int?) -> [String]? {
        guard let found = values(["requestObject", "spec", set.rawValue, "image"], index: index), !found.isEmpty else { return nil }
        var out: [String] = []
        for v in found {
            guard let v else { return nil }
            out.append(v.text)
        }
        return out
    }

    /// The repository part of an image, as the plugin cuts it (at the first `:`, then `@`).
    static func repository(_ image: String) -> String {
        let beforeColon = image.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? image
        return beforeColon.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? beforeColon
    }

    private mutating func container(_ set: ContainerSet, _ attribute: ContainerAttribute, index: Int?) -> FieldValue? {
        let base = ["requestObject", "spec", set.rawValue]
        func security(_ key: String...) -> [String] { base + ["securityContext"] + key }
        switch attribute {
        case .image: return images(set, index: index).map { .list($0) }
        case .imageRepository: return images(set, index: index).map { .list($0.map(Self.repository)) }
        case .name, .command, .args:
            guard let found = values(base + [attribute.rawValue], index: index) else { return nil }
            return .list(found.compactMap { $0 }.flatMap { $0.array.map { $0.map(\.text) } ?? [$0.text] })
        case .privileged: return values(security("privileged"), index: index).map { .list(Self.strings($0)) }
        case .allowPrivilegeEscalation: return values(security("allowPrivilegeEscalation"), index: index).map { .list(Self.strings($0)) }
        case .readOnlyFS: return values(security("readOnlyRootFilesystem"), index: index).map { .list(Self.strings($0)) }
        case .runAsUser: return values(security("runAsUser"), index: index).map { .list(Self.strings($0)) }
        case .runAsGroup: return values(security("runAsGroup"), index: index).map { .list(Self.strings($0)) }
        case .procMount: return values(security("procMount"), index: index).map { .list(Self.strings($0)) }
        case .addCapabilities: return values(security("capabilities", "add"), index: index).map { .list(Self.strings($0)) }
        case .effectiveRunAsUser, .effectiveRunAsGroup:
            let key = attribute == .effectiveRunAsUser ? "runAsUser" : "runAsGroup"
            let pod = at(["requestObject", "spec", "securityContext", key])?.text ?? "0"
            guard let found = values(security(key), index: index) else { return nil }
            return .list(found.map { $0?.text ?? pod })
        case .hostPort:
            guard let found = values(base + ["ports"], index: index) else { return nil }
            var out: [String] = []
            for ports in found.compactMap({ $0?.array }) {
                for port in ports {
                    if let p = port["hostPort"] { out.append(p.text) } else if let p = port["containerPort"] { out.append(p.text) }
                }
            }
            return .list(out)
        }
    }
}
