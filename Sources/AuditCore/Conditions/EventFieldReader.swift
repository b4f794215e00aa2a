import Foundation

/// Reads rule fields from one event: the decoded ones from its ring entry, everything else
/// from its raw JSON. The raw JSON is looked at only when a rule asks for such a field, and
/// then only the top-level member the field lives in is parsed into values.
public struct EventFieldReader: FieldReader {
    let raw: UnsafeBufferPointer<UInt8>
    let entry: RingEntry?
    let strings: StringInterner?
    /// For `audittop.*` fields: who identities are, and which requests are probes.
    unowned(unsafe) let store: EventStore?
    unowned(unsafe) let engine: RuleEngine?
    /// Top-level members: where each value lies in `raw` (found on first need).
    private var members: [(key: String, range: Range<Int>)]?
    private var parsed: [String: JSONValue] = [:]
    private var whole: JSONValue??

    /// An event known only by its JSON (`rules check`, tests).
    public init(raw: UnsafeBufferPointer<UInt8>) {
        self.raw = raw
        entry = nil
        strings = nil
        store = nil
        engine = nil
    }

    init(raw: UnsafeBufferPointer<UInt8>, entry: RingEntry, store: EventStore, engine: RuleEngine) {
        self.raw = raw
        self.entry = entry
        self.strings = store.strings
        self.store = store
        self.engine = engine
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

    // MARK: the JSON

    /// The top-level member `key`, parsed.
    mutating func member(_ key: String) -> JSONValue? {
        if let v = parsed[key] { return v }
        if members == nil { members = Self.scan(raw) }
        guard let range = members?.first(where: { $0.key == key })?.range else { return nil }
        guard let v = JSONValue.parse(UnsafeBufferPointer(rebasing: raw[range])) else { return nil }
        parsed[key] = v
        return v
    }

    private static func scan(_ raw: UnsafeBufferPointer<UInt8>) -> [(key: String, range: Range<Int>)] {
        guard let base = raw.baseAddress else { return [] }
        var c = JSONCursor(base: base, end: raw.count, maxDepth: 256)
        var out: [(key: String, range: Range<Int>)] = []
        try? c.forEachMember(depth: 0) { (c: inout JSONCursor, key: Span) throws(MalformedKind) in
            let start = c.i
            try c.skipValue(depth: 1)
            out.append((JSONText.string(base: base, span: key), start..<c.i))
        }
        return out
    }

    /// The value at `keys` (first key a top-level member).
    mutating func at(_ keys: [String]) -> JSONValue? {
        guard let first = keys.first, var here = member(first) else { return nil }
        for k in keys.dropFirst() {
            guard let next = here[k] else { return nil }
            here = next
        }
        return here
    }

    /// Falco's `getValuesRecursive`: follows `keys`, fanning out over arrays on the way (or
    /// taking element `index`); nil when the path is missing before any array, and a nil
    /// element for each array element that lacks the rest.
    mutating func values(_ keys: [String], index: Int?) -> [JSONValue?]? {
        guard let first = keys.first, let top = member(first) else { return nil }
        return Self.recurse(top, keys.dropFirst(), index)
    }

    private static func recurse(_ value: JSONValue, _ keys: ArraySlice<String>, _ index: Int?) -> [JSONValue?]? {
        var here = value
        var rest = keys
        while let k = rest.first {
            if case .array(let items) = here {
                if let index {
                    guard index >= 0, index < items.count else { return nil }
                    here = items[index]
                } else {
                    return items.map { item in recurse(item, rest, nil) }.flatMap { $0 ?? [nil] }
                }
            }
            if k.isEmpty {
                // Falco's `Get()` with no key: the value itself.
            } else {
                guard let next = here[k] else { return nil }
                here = next
            }
            rest = rest.dropFirst()
        }
        return [here]
    }

    private mutating func pathValue(_ keys: [String]) -> FieldValue? {
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

    private func decoded(_ id: UInt32) -> FieldValue? {
        guard id != 0, let strings else { return nil }
        return .one(strings.string(id))
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
            case .responseCode: return e.code < 0 ? nil : .one(String(e.code))
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
        case .uri: return single("requestURI")
        case .uriParam:
            guard let uri = at(["requestURI"])?.text, let argument else { return nil }
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
