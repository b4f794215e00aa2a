extension EventFieldReader {
    /// audittop's own fields: from the ring entry and the engine when the event is in a
    /// store, else from the JSON alone.
    mutating func audittop(_ f: AudittopField) -> FieldValue? {
        func flag(_ b: Bool) -> FieldValue { .one(b ? "true" : "false") }
        func userName() -> String { entry.flatMap { e in strings.map { $0.string(e.user) } } ?? at(["user", "username"])?.text ?? "" }
        switch f {
        case .denied:
            if let e = entry { return flag(e.isDenied || e.code >= 400) }
            let code = Int(at(["responseStatus", "code"])?.text ?? "") ?? 0
            return flag(code >= 400 || at(["annotations", "authorization.k8s.io/decision"])?.text == "forbid")
        case .probe:
            guard let e = entry, let store else { return flag(false) }
            return flag(store.isAnonymousProbe(e))
        case .identity:
            let kind: IdentityKind
            if let e = entry, let engine, let store { kind = engine.identityKind(e.user, store) } else { kind = IdentityKind(userName()) }
            return .one(kind.ruleName)
        case .platform: return flag(IdentityKind.isPlatformComponent(userName()))
        case .object:
            if let name = at(["requestObject", "metadata", "name"])?.text, !name.isEmpty { return .one(name) }
            if let name = at(["objectRef", "name"])?.text, !name.isEmpty { return .one(name) }
            if let prefix = at(["requestObject", "metadata", "generateName"])?.text { return .one(prefix + "…") }
            return nil
        case .target:
            if let e = entry, let store { return .one(RuleEngine.resourceText(e, store)) }
            guard let resource = at(["objectRef", "resource"])?.text else { return at(["requestURI"]).map { .one($0.text) } }
            let sub = at(["objectRef", "subresource"]).map { "/" + $0.text } ?? ""
            let name = at(["objectRef", "name"]).map { " " + $0.text } ?? ""
            return .one(resource + sub + name)
        case .subjects:
            guard let items = at(["requestObject", "subjects"])?.array else { return nil }
            return .one(items.compactMap { $0["name"]?.text }.joined(separator: ", "))
        case .untrustedImages:
            var images: [String] = []
            for set in [ContainerSet.containers, .initContainers] {
                guard let found = values(["requestObject", "spec", set.rawValue, "image"], index: nil) else { continue }
                images += found.compactMap { $0?.text }
            }
            let untrusted = images.filter { !RuleEngine.isTrustedImage($0) }
            return untrusted.isEmpty ? nil : .one(untrusted.joined(separator: ", "))
        case .privilegedContainers:
            var names: [String] = []
            for set in ContainerSet.allCases {
                // Each container's two leaves, not the containers parsed whole.
                forEachElement(of: ["requestObject", "spec", set.rawValue]) { json, c in
                    guard let context = json.member("securityContext", of: c), let flag = json.member("privileged", of: context),
                        json.value(flag) == .bool(true)
                    else { return }
                    names.append(json.member("name", of: c).flatMap { json.value($0) }?.text ?? "?")
                }
            }
            return names.isEmpty ? nil : .one(names.joined(separator: ", "))
        }
    }
}

extension IdentityKind {
    /// The kind as rules name it (`audittop.identity`).
    public var ruleName: String {
        switch self {
        case .anonymous: "anonymous"
        case .unauthenticated: "unauthenticated"
        case .controlPlane: "controlplane"
        case .node: "node"
        case .serviceAccount: "serviceaccount"
        case .otherSystem: "system"
        case .person: "person"
        }
    }
}
