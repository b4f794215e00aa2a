/// What is ordinary for each identity, learned from the first minutes of a live feed (the
/// learning window) or loaded from a saved baseline: source networks, client products,
/// namespaces and verb × resource. The baseline rules judge requests after learning against it.
///
/// Memory is bounded: at most `identityLimit` identities, each set at most `setLimit`
/// values (about 20,000 × (3 × 32 × 4 + 32 × 16) bytes, under 20 MB at the worst), and
/// address and agent caches of at most `cacheLimit` entries each.
///
/// A class: the rule engine owns the one instance and its detectors read it in place.
public final class Baselines {
    public static let identityLimit = 20_000
    public static let setLimit = 32
    static let cacheLimit = 65_536

    /// A verb on a resource, by interned ids (`create` `apps` `deployments` `scale`).
    public struct Action: Equatable, Sendable {
        public var verb, group, resource, subresource: UInt32

        /// The action of a ring entry.
        public init(_ e: RingEntry) {
            verb = e.verb
            group = e.apiGroup
            resource = e.resource == 0 ? e.path : e.resource
            subresource = e.subresource
        }

        init(verb: UInt32, group: UInt32, resource: UInt32, subresource: UInt32) {
            self.verb = verb
            self.group = group
            self.resource = resource
            self.subresource = subresource
        }

        /// `verb group/resource/subresource`, the core group without a prefix (`list secrets`,
        /// `create apps/deployments/scale`), as the baseline file and the story write it.
        public func text(_ s: StringInterner) -> String {
            var name = s.string(resource)
            if subresource != 0 { name += "/" + s.string(subresource) }
            if group != 0 { name = s.string(group) + "/" + name }
            return s.string(verb) + " " + name
        }

        /// Reads `text`'s form back. Two parts are a group and a resource when the first
        /// looks like a group (has a dot, or is one of the dotless built-in groups).
        public static func parse(_ text: String, _ id: (String) -> UInt32?) -> Action? {
            let words = text.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2, let verb = id(words[0]) else { return nil }
            let parts = words[1].split(separator: "/").map(String.init)
            var group = "", resource = "", sub = ""
            switch parts.count {
            case _ where words[1].hasPrefix("/"): resource = words[1]
            case 1: resource = parts[0]
            case 2 where parts[0].contains(".") || dotlessGroups.contains(parts[0]): (group, resource) = (parts[0], parts[1])
            case 2: (resource, sub) = (parts[0], parts[1])
            case 3: (group, resource, sub) = (parts[0], parts[1], parts[2])
            default: return nil
            }
            func ids(_ t: String) -> UInt32? { t.isEmpty ? 0 : id(t) }
            guard let g = ids(group), let r = ids(resource), let s = ids(sub) else { return nil }
            return Action(verb: verb, group: g, resource: r, subresource: s)
        }

        static let dotlessGroups: Set<String> = ["apps", "batch", "policy", "autoscaling", "extensions"]
    }

    /// One identity's profile, as interned ids.
    public struct Profile: Sendable {
        public var networks: [UInt32] = []
        public var products: [UInt32] = []
        public var namespaces: [UInt32] = []
        public var actions: [Action] = []
        public var clusterWideSecrets = false
        public var denied = 0
    }

    /// What an address is: its network's id, and whether it routes only inside a site.
    struct Address {
        var network: UInt32
        var isPrivate: Bool
        /// Loopback (the apiserver calling itself): never a network to learn.
        var isLoopback: Bool
    }

    /// What an agent is: its client product's id, and whether that is a generic tool.
    struct Client {
        var product: UInt32
        var isGenericTool: Bool
    }

    /// Profiles, indexed through `index` by identity id.
    private var profiles: [Profile] = []
    private var index: [UInt32: Int] = [:]
    /// Networks nodes and service accounts used while learning (ids of `10.0.1.0/24` texts).
    public private(set) var clusterNetworks: Set<UInt32> = []
    /// Identities that set off a high or critical rule while learning: never learned.
    private var suspects: Set<UInt32> = []
    /// Identities not learned because `identityLimit` was reached.
    public private(set) var dropped = 0
    /// Per node name: the networks of its kubelet and of the tokens bound to it.
    private var nodeNetworks: [UInt32: [UInt32]] = [:]
    private var addresses: [UInt32: Address] = [:]
    private var clients: [UInt32: Client] = [:]

    /// Fingerprints of requests learned lately (direct-mapped): most requests repeat one seen
    /// a moment ago (a kubelet's lease, a controller's get), and learning them again would
    /// change nothing.
    private var recent = [UInt64](repeating: 0, count: 8192)

    public init() {}

    /// False when a request with the same identity, address, agent, namespace, action and
    /// node was learned lately: learning it again would change nothing.
    func isNew(_ e: RingEntry, tokenNode: UInt32) -> Bool {
        // Denials are counted, and cluster-wide lists flagged: never skipped.
        if e.isDenied || e.resource != 0 && e.namespace == 0 { return true }
        @inline(__always) func mix(_ h: UInt64, _ v: UInt32) -> UInt64 { (h ^ UInt64(v)) &* 0x0000_0100_0000_01b3 }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        h = mix(mix(mix(mix(mix(h, e.actor), e.sourceIP), e.userAgent), e.namespace), e.verb)
        h = mix(mix(mix(mix(mix(h, e.apiGroup), e.resource), e.subresource), e.path), tokenNode)
        h |= 1
        let slot = Int(truncatingIfNeeded: h >> 51)
        if recent[slot] == h { return false }
        recent[slot] = h
        return true
    }

    /// True when nothing was learned or loaded.
    public var isEmpty: Bool { profiles.isEmpty }

    /// The profile of identity `user`, if it was learned.
    public func profile(_ user: UInt32) -> Profile? { index[user].map { profiles[$0] } }

    /// True when identity `user` has a profile.
    func hasProfile(_ user: UInt32) -> Bool { index[user] != nil }

    /// Marks every id the profiles, networks and suspects refer to (`StringInterner.reclaim`).
    func mark(_ live: inout LiveStrings) {
        live.mark(all: index.keys)
        for p in profiles {
            live.mark(all: p.networks)
            live.mark(all: p.products)
            live.mark(all: p.namespaces)
            for a in p.actions {
                live.mark(a.verb)
                live.mark(a.group)
                live.mark(a.resource)
                live.mark(a.subresource)
            }
        }
        live.mark(all: clusterNetworks)
        live.mark(all: suspects)
        for (node, networks) in nodeNetworks {
            live.mark(node)
            live.mark(all: networks)
        }
        live.mark(all: failingAddresses)
    }

    /// Drops what the caches decided for ids a reclaim freed, and the fingerprints (made of ids).
    func prune(_ live: LiveStrings) {
        addresses = addresses.filter { live.contains($0.key) && live.contains($0.value.network) }
        clients = clients.filter { live.contains($0.key) && live.contains($0.value.product) }
        for i in recent.indices { recent[i] = 0 }
    }

    /// The address with id `ip`: its network (`/24`, `/64`; 0 when not an address) and whether
    /// it is private. Decided once per address.
    func address(_ ip: UInt32, _ strings: StringInterner) -> Address {
        if let a = addresses[ip] { return a }
        if addresses.count >= Baselines.cacheLimit { addresses.removeAll(keepingCapacity: true) }
        let text = ip == 0 ? "" : strings.string(ip)
        let network = NetworkPrefix.of(text)
        let a = Address(network: network.isEmpty ? 0 : strings.intern(network), isPrivate: NetworkPrefix.isPrivate(text),
                        isLoopback: NetworkPrefix.isLoopback(text))
        addresses[ip] = a
        return a
    }

    /// The agent with id `agent`: its client product (0 for none) and whether it is a generic
    /// tool. Decided once per agent.
    func client(_ agent: UInt32, _ strings: StringInterner) -> Client {
        if let c = clients[agent] { return c }
        if clients.count >= Baselines.cacheLimit { clients.removeAll(keepingCapacity: true) }
        let text = agent == 0 ? "" : ClientProduct.of(strings.string(agent))
        let c = Client(product: text.isEmpty ? 0 : strings.intern(text), isGenericTool: ClientProduct.isGenericTool(text))
        clients[agent] = c
        return c
    }

    /// Learns one request of `actor`. `kind` tells whether its network is the cluster's own.
    func learn(
        actor: UInt32, kind: IdentityKind, network: UInt32, product: UInt32, namespace: UInt32, action: Action,
        clusterWideSecrets: Bool, denied: Bool
    ) {
        // Anonymous and unauthenticated clients have no baseline: what they do is never ordinary.
        guard actor != 0, kind != .anonymous, kind != .unauthenticated, !suspects.contains(actor) else { return }
        if network != 0, kind == .node || kind == .serviceAccount || kind == .controlPlane, clusterNetworks.count < Baselines.cacheLimit {
            clusterNetworks.insert(network)
        }
        guard let k = slot(actor) else { return }
        Baselines.insert(network, into: &profiles[k].networks)
        Baselines.insert(product, into: &profiles[k].products)
        Baselines.insert(namespace, into: &profiles[k].namespaces)
        if action.verb != 0, profiles[k].actions.count < Baselines.setLimit, !profiles[k].actions.contains(action) {
            profiles[k].actions.append(action)
        }
        if clusterWideSecrets { profiles[k].clusterWideSecrets = true }
        if denied { profiles[k].denied += 1 }
    }

    /// Learns that `network` is one of node `node`'s.
    func learnNode(_ node: UInt32, network: UInt32) {
        guard node != 0 else { return }
        if nodeNetworks[node] == nil, nodeNetworks.count >= Baselines.identityLimit { return }
        Baselines.insert(network, into: &nodeNetworks[node, default: []])
    }

    /// The networks learned for node `node`, if any.
    func networks(ofNode node: UInt32) -> [UInt32]? { nodeNetworks[node] }

    /// Forgets what was learned of `actor` and learns no more of it.
    func suspect(_ actor: UInt32) {
        if let k = index[actor] { profiles[k] = Profile() }
        index[actor] = nil
        if suspects.count < Baselines.identityLimit { suspects.insert(actor) }
    }

    /// Private addresses that failed to authenticate while learning (a pod with an expired
    /// token): ordinary from then on.
    public private(set) var failingAddresses: Set<UInt32> = []

    /// Learns that the private address `ip` fails to authenticate as a habit.
    func learnFailing(_ ip: UInt32) {
        if failingAddresses.count < Baselines.cacheLimit { failingAddresses.insert(ip) }
    }

    /// The profile slot of `actor`, made when there is room.
    private func slot(_ actor: UInt32) -> Int? {
        if let k = index[actor] { return k }
        guard profiles.count < Baselines.identityLimit else {
            dropped += 1
            return nil
        }
        profiles.append(Profile())
        index[actor] = profiles.count - 1
        return profiles.count - 1
    }

    private static func insert(_ id: UInt32, into set: inout [UInt32]) {
        if id != 0, set.count < setLimit, !set.contains(id) { set.append(id) }
    }

    /// The baseline by names, to save.
    public func file(_ strings: StringInterner) -> BaselineFile {
        var f = BaselineFile()
        f.clusterNetworks = clusterNetworks.map(strings.string).sorted()
        for (user, k) in index {
            let p = profiles[k]
            var out = BaselineFile.Profile()
            out.networks = p.networks.map(strings.string).sorted()
            out.clients = p.products.map(strings.string).sorted()
            out.namespaces = p.namespaces.map(strings.string).sorted()
            out.actions = p.actions.map { $0.text(strings) }.sorted()
            out.clusterWideSecrets = p.clusterWideSecrets
            out.denied = p.denied
            f.identities[strings.string(user)] = out
        }
        f.failingAddresses = failingAddresses.map(strings.string).sorted()
        return f
    }

    /// Adds a saved baseline, interning its names.
    public func load(_ f: BaselineFile, _ strings: StringInterner) {
        for n in f.clusterNetworks where clusterNetworks.count < Baselines.cacheLimit { clusterNetworks.insert(strings.intern(n)) }
        for a in f.failingAddresses { learnFailing(strings.intern(a)) }
        for (name, saved) in f.identities {
            guard let k = slot(strings.intern(name)) else { continue }
            for n in saved.networks { Baselines.insert(strings.intern(n), into: &profiles[k].networks) }
            for c in saved.clients { Baselines.insert(strings.intern(c), into: &profiles[k].products) }
            for ns in saved.namespaces { Baselines.insert(strings.intern(ns), into: &profiles[k].namespaces) }
            for a in saved.actions {
                guard let action = Action.parse(a, { strings.intern($0) }) else { continue }
                if profiles[k].actions.count < Baselines.setLimit, !profiles[k].actions.contains(action) { profiles[k].actions.append(action) }
            }
            profiles[k].clusterWideSecrets = profiles[k].clusterWideSecrets || saved.clusterWideSecrets
            profiles[k].denied += saved.denied
        }
    }
}
