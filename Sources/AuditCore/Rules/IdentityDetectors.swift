/// 10 or more failed authentications (401) from one source IP within the window.
/// Private addresses that failed to authenticate while learning (a pod with an expired token)
/// are ordinary; a public address never is, so a scanner is caught while learning too.
struct FailedAuthenticationBurst: StatefulDetector {
    var threshold = 10
    var window: Int64 = 60_000_000
    private var bursts: [UInt32: RuleEngine.Burst] = [:]

    func mark(_ live: inout LiveStrings) { live.mark(all: bursts.keys) }

    mutating func look(at i: DetectorInput) -> [Detection] {
        guard i.entry.code == 401 else { return [] }
        if i.learning, i.baselines.address(i.entry.sourceIP, i.store.strings).isPrivate { i.baselines.learnFailing(i.entry.sourceIP) }
        guard !i.baselines.failingAddresses.contains(i.entry.sourceIP) else { return [] }
        if bursts.count >= Self.keyLimit { bursts.removeAll() }
        guard let burst = bursts[i.entry.sourceIP, default: RuleEngine.Burst()].add(i.time, i.id, threshold: threshold, window: window)
        else { return [] }
        let ip = i.store.strings.string(i.entry.sourceIP)
        return [Detection(rule: .failedAuthenticationBurst,
                         note: "\(burst.count) failed logins from \(ip.isEmpty ? "an unknown address" : ip) within \(window / 1_000_000) s",
                         requests: burst)]
    }
}

/// `system:anonymous` refused something other than a probe: once per source IP a window.
struct AnonymousDenied: StatefulDetector {
    var window: Int64 = 60_000_000
    private var lastFired: [UInt32: Int64] = [:]

    func mark(_ live: inout LiveStrings) { live.mark(all: lastFired.keys) }

    mutating func look(at i: DetectorInput) -> [Detection] {
        guard i.kind == .anonymous, i.denied, !i.store.isAnonymousProbe(i.entry) else { return [] }
        if let last = lastFired[i.entry.sourceIP], i.time < last + window { return [] }
        if lastFired.count >= Self.keyLimit { lastFired.removeAll() }
        lastFired[i.entry.sourceIP] = i.time
        let s = i.store.strings
        return [Detection(rule: .anonymousDenied,
                         note: "\(s.string(i.entry.verb)) \(FilterMatcher.uri(i.entry, s)) from \(s.string(i.entry.sourceIP))")]
    }
}

/// An identity outside the platform asking what it may do, again and again: the first step
/// of a stolen credential (`kubectl auth can-i --list`): a service account's reviews, or
/// anyone's SelfSubjectRulesReviews. An identity that asked while learning asks as a habit.
struct RBACEnumeration: StatefulDetector {
    var threshold = 10
    var window: Int64 = 60_000_000
    let reviews: [UInt32]
    private var bursts: [UInt32: RuleEngine.Burst] = [:]

    init(_ strings: StringInterner) {
        reviews = [strings.intern("selfsubjectrulesreviews"), strings.intern("selfsubjectaccessreviews")]
    }

    func mark(_ live: inout LiveStrings) { live.mark(all: bursts.keys) }

    mutating func look(at i: DetectorInput) -> [Detection] {
        // Dashboards people use (k9s, Lens) ask SelfSubjectAccessReviews all day; a workload's
        // token asking, or anyone listing all its rules, is the signal.
        guard reviews.contains(i.entry.resource), i.kind == .serviceAccount || i.entry.resource == reviews[0],
            !i.kind.isPlatform(i.store.strings.string(i.actor), i.store)
        else { return [] }
        if !i.learning, let profile = i.baselines.profile(i.actor), profile.actions.contains(Baselines.Action(i.entry)) { return [] }
        if bursts.count >= Self.keyLimit { bursts.removeAll() }
        guard let burst = bursts[i.actor, default: RuleEngine.Burst()].add(i.time, i.id, threshold: threshold, window: window)
        else { return [] }
        return [Detection(rule: .rbacEnumeration,
                         note: "\(burst.count) permission reviews by \(i.store.actorName(i.entry)) within \(window / 1_000_000) s",
                         requests: burst)]
    }
}

/// A CSR approved by the identity that created it.
struct CSRSelfApproval: StatefulDetector {
    let csr, approval, create, update, patch: UInt32
    /// CSR name → who created it.
    private var creators: [UInt32: UInt32] = [:]

    init(_ strings: StringInterner) {
        csr = strings.intern("certificatesigningrequests")
        approval = strings.intern("approval")
        create = strings.intern("create")
        update = strings.intern("update")
        patch = strings.intern("patch")
    }

    func mark(_ live: inout LiveStrings) {
        live.mark(all: creators.keys)
        live.mark(all: creators.values)
    }

    mutating func look(at i: DetectorInput) -> [Detection] {
        let e = i.entry
        guard e.resource == csr, e.name != 0, !i.denied else { return [] }
        if e.subresource == 0, e.verb == create {
            if creators.count >= Self.keyLimit { creators.removeAll() }
            creators[e.name] = i.actor
            return []
        }
        guard e.subresource == approval, e.verb == update || e.verb == patch, creators[e.name] == i.actor, i.kind != .node,
            i.kind != .controlPlane
        else { return [] }
        return [Detection(rule: .csrSelfApproved, note: "\(i.store.strings.string(e.name)) created and approved by \(i.store.actorName(e))")]
    }
}

/// Reading secrets in namespace after namespace: 4 or more within the window that the
/// identity had never read secrets in (not in its baseline, nor earlier in the feed), by an
/// identity seen for at least a window before (a deployer starting up reads them all once).
struct SecretsAcrossNamespaces: StatefulDetector {
    var threshold = 4
    var window: Int64 = 60_000_000
    let secrets: [UInt32]
    let reads: [UInt32]
    private var recent: [UInt32: [(time: Int64, namespace: UInt32, id: AuditID)]] = [:]
    private var quietUntil: [UInt32: Int64] = [:]
    /// Per identity: when first seen; and the namespaces it read secrets in (at most 64).
    private var firstSeen: [UInt32: Int64] = [:]
    private var read: [UInt32: [UInt32]] = [:]

    init(_ strings: StringInterner) {
        secrets = [strings.intern("secrets")]
        reads = ["get", "list", "watch"].map { strings.intern($0) }
    }

    func mark(_ live: inout LiveStrings) {
        for (actor, list) in recent {
            live.mark(actor)
            live.mark(all: list.map(\.namespace))
        }
        live.mark(all: quietUntil.keys)
        live.mark(all: firstSeen.keys)
        for (actor, namespaces) in read {
            live.mark(actor)
            live.mark(all: namespaces)
        }
    }

    mutating func look(at i: DetectorInput) -> [Detection] {
        let e = i.entry
        let first: Int64
        if let seen = firstSeen[i.actor] {
            first = seen
        } else {
            if firstSeen.count >= Self.keyLimit { firstSeen.removeAll() }
            firstSeen[i.actor] = i.time
            first = i.time
        }
        guard e.resource == secrets[0], e.subresource == 0, e.namespace != 0, reads.contains(e.verb) else { return [] }
        if read.count >= Self.keyLimit { read.removeAll() }
        // 64 namespaces read: it reads secrets everywhere (an operator); no longer judged.
        if let seen = read[i.actor], seen.count >= 64 || seen.contains(e.namespace) { return [] }
        read[i.actor, default: []].append(e.namespace)
        guard i.time - first >= window else { return [] }
        let s = i.store.strings
        guard !IdentityKind.isPlatformComponent(s.string(i.actor)) else { return [] }
        if let profile = i.baselines.profile(i.actor), profile.namespaces.contains(e.namespace) { return [] }
        if let quiet = quietUntil[i.actor], i.time < quiet { return [] }
        if recent.count >= Self.keyLimit {
            recent.removeAll()
            quietUntil.removeAll()
        }
        var list = recent[i.actor] ?? []
        list.removeAll { $0.time <= i.time - window }
        if !list.contains(where: { $0.namespace == e.namespace }) { list.append((i.time, e.namespace, i.id)) }
        guard list.count >= threshold else {
            recent[i.actor] = list
            return []
        }
        recent[i.actor] = nil
        quietUntil[i.actor] = i.time + window
        let names = list.map { s.string($0.namespace) }.joined(separator: ", ")
        return [Detection(rule: .secretsAcrossNamespaces,
                         note: "\(i.store.actorName(e)) read secrets in \(list.count) namespaces within \(window / 1_000_000) s: \(names)",
                         requests: list.map(\.id))]
    }
}

/// A learned identity from a network it never used, and a service-account token used from
/// outside the cluster: once per identity and address.
struct OutsideUse: StatefulDetector {
    /// Identity id << 32 | address id.
    private var reported: Set<UInt64> = []

    func mark(_ live: inout LiveStrings) {
        for pair in reported {
            live.mark(UInt32(truncatingIfNeeded: pair >> 32))
            live.mark(UInt32(truncatingIfNeeded: pair))
        }
    }

    mutating func look(at i: DetectorInput) -> [Detection] {
        let e = i.entry
        // Only a service account's token, or (after learning) an identity with a baseline, is
        // judged: most requests stop here, with no lookup.
        let token = i.kind == .serviceAccount
        let judgeNetwork = !i.learning && i.baselines.hasProfile(i.actor)
        guard e.sourceIP != 0, token || judgeNetwork else { return [] }
        let s = i.store.strings
        let address = i.baselines.address(e.sourceIP, s)
        let known = address.network != 0
        // Why a token left its pod, most telling first; decided before any text is made.
        var publicAddress = false, outsideCluster = false, notItsNode = false, tool: UInt32 = 0
        var profile: Baselines.Profile?
        if token {
            publicAddress = known && !address.isPrivate
            outsideCluster = !publicAddress && !i.learning && known && !i.baselines.clusterNetworks.isEmpty
                && !i.baselines.clusterNetworks.contains(address.network)
            if !publicAddress, !outsideCluster, !i.learning, i.tokenNode != 0, known,
                let own = i.baselines.networks(ofNode: i.tokenNode)
            {
                notItsNode = !own.contains(address.network)
            }
            let client = i.baselines.client(e.userAgent, s)
            if client.isGenericTool {
                profile = i.baselines.profile(i.actor)
                if !(profile?.products.contains(client.product) ?? false) { tool = client.product }
            }
        }
        var newNetwork = false
        if judgeNetwork, known {
            profile = profile ?? i.baselines.profile(i.actor)
            if let networks = profile?.networks, !networks.isEmpty, !networks.contains(address.network) { newNetwork = true }
        }
        let outside = publicAddress || outsideCluster || notItsNode || tool != 0
        guard outside || newNetwork else { return [] }
        let pair = UInt64(i.actor) << 32 | UInt64(e.sourceIP)
        guard !reported.contains(pair) else { return [] }
        if reported.count >= Self.keyLimit { reported.removeAll() }
        reported.insert(pair)
        let ip = s.string(e.sourceIP)
        var out: [Detection] = []
        if outside {
            var why: [String] = []
            if publicAddress { why.append("from the public address \(ip)") }
            if outsideCluster { why.append("from \(ip), outside the networks of the cluster's nodes and pods") }
            if notItsNode { why.append("from \(ip), not an address of \(s.string(i.tokenNode)), the node its token was issued for") }
            if tool != 0 { why.append("with \(s.string(tool))" + (profile == nil ? "" : ", which it never used")) }
            out.append(Detection(rule: .tokenFromOutside, note: "\(i.store.actorName(e)) " + why.joined(separator: ", ")))
        }
        if newNetwork {
            out.append(Detection(rule: .newNetwork, note: "\(i.store.actorName(e)) from \(ip) (\(s.string(address.network))), new for it"))
        }
        return out
    }
}

extension IdentityKind {
    /// The platform itself: control plane, nodes, kube-system's controllers, and any name on
    /// the store's platform list (`PlatformIdentities`), `system:anonymous` aside.
    func isPlatform(_ name: String, _ store: EventStore) -> Bool {
        if IdentityKind.isPlatformComponent(name) { return true }
        switch self {
        case .anonymous, .unauthenticated, .serviceAccount: return false
        case .controlPlane, .node, .otherSystem: return true
        case .person: return store.stats.unknown.platform.contains(user: name)
        }
    }
}
