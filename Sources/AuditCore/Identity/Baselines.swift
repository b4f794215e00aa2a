/// What is ordinary for each identity, learned from the first minutes of a live feed (the
/// learning window) or loaded from a saved baseline: source networks, client products,
/// namespaces and verb × resource. The baseline rules judge requests after learning against it.
///
/// Memory is bounded: at most `identityLimit` identities, each set at most `setLimit`
/// values (about 20,000 × 4 × 32 ids, under 12 MB at the worst), and address and agent
/// caches of at most `cacheLimit` entries each.
public struct Baselines: Sendable {
    public static let identityLimit = 20_000
    public static let setLimit = 32
    static let cacheLimit = 65_536

    /// One identity's profile, as interned ids.
    public struct Profile: Sendable {
        public var networks: [UInt32] = []
        public var products: [UInt32] = []
        public var namespaces: [UInt32] = []
        /// `verb << 32 | resource key`.
        public var actions: [UInt64] = []
        public var clusterWideSecrets = false
        public var denied = 0
    }

    /// By identity id.
    public private(set) var profiles: [UInt32: Profile] = [:]
    /// Networks nodes and service accounts used while learning (ids of `10.0.1.0/24` texts).
    public private(set) var clusterNetworks: Set<UInt32> = []
    /// Identities that set off a high or critical rule while learning: never learned.
    private var suspects: Set<UInt32> = []
    /// Identities not learned because `identityLimit` was reached.
    public private(set) var dropped = 0
    private var networkOf: [UInt32: UInt32] = [:]
    private var productOf: [UInt32: UInt32] = [:]

    public init() {}

    /// True when nothing was learned or loaded.
    public var isEmpty: Bool { profiles.isEmpty }

    /// The profile of identity `user`, if it was learned.
    public func profile(_ user: UInt32) -> Profile? { profiles[user] }

    /// The id of the network (`/24`, `/64`) of the address with id `ip`, 0 for no address.
    mutating func network(_ ip: UInt32, _ strings: StringInterner) -> UInt32 {
        guard ip != 0 else { return 0 }
        if let n = networkOf[ip] { return n }
        if networkOf.count >= Baselines.cacheLimit { networkOf.removeAll(keepingCapacity: true) }
        let text = NetworkPrefix.of(strings.string(ip))
        let n = text.isEmpty ? 0 : strings.intern(text)
        networkOf[ip] = n
        return n
    }

    /// The id of the client product of the agent with id `agent`, 0 for none.
    mutating func product(_ agent: UInt32, _ strings: StringInterner) -> UInt32 {
        guard agent != 0 else { return 0 }
        if let p = productOf[agent] { return p }
        if productOf.count >= Baselines.cacheLimit { productOf.removeAll(keepingCapacity: true) }
        let text = ClientProduct.of(strings.string(agent))
        let p = text.isEmpty ? 0 : strings.intern(text)
        productOf[agent] = p
        return p
    }

    /// Learns one request of `actor`. `kind` tells whether its network is the cluster's own.
    mutating func learn(
        actor: UInt32, kind: IdentityKind, network: UInt32, product: UInt32, namespace: UInt32, verb: UInt32, resource: UInt32,
        clusterWideSecrets: Bool, denied: Bool
    ) {
        guard actor != 0, !suspects.contains(actor) else { return }
        if network != 0, kind == .node || kind == .serviceAccount || kind == .controlPlane, clusterNetworks.count < Baselines.cacheLimit {
            clusterNetworks.insert(network)
        }
        guard var p = profiles[actor] ?? newProfile() else { return }
        Baselines.insert(network, into: &p.networks)
        Baselines.insert(product, into: &p.products)
        Baselines.insert(namespace, into: &p.namespaces)
        let action = UInt64(verb) << 32 | UInt64(resource)
        if verb != 0, p.actions.count < Baselines.setLimit, !p.actions.contains(action) { p.actions.append(action) }
        if clusterWideSecrets { p.clusterWideSecrets = true }
        if denied { p.denied += 1 }
        profiles[actor] = p
    }

    /// Forgets what was learned of `actor` and learns no more of it.
    mutating func suspect(_ actor: UInt32) {
        guard suspects.count < Baselines.identityLimit else { return }
        suspects.insert(actor)
        profiles[actor] = nil
    }

    private mutating func newProfile() -> Profile? {
        guard profiles.count < Baselines.identityLimit else {
            dropped += 1
            return nil
        }
        return Profile()
    }

    private static func insert(_ id: UInt32, into set: inout [UInt32]) {
        if id != 0, set.count < setLimit, !set.contains(id) { set.append(id) }
    }

    /// The baseline by names, to save.
    public func file(_ strings: StringInterner) -> BaselineFile {
        var f = BaselineFile()
        f.clusterNetworks = clusterNetworks.map(strings.string).sorted()
        for (user, p) in profiles {
            var out = BaselineFile.Profile()
            out.networks = p.networks.map(strings.string).sorted()
            out.clients = p.products.map(strings.string).sorted()
            out.namespaces = p.namespaces.map(strings.string).sorted()
            out.actions = p.actions.map { strings.string(UInt32($0 >> 32)) + " " + strings.string(UInt32($0 & 0xFFFF_FFFF)) }.sorted()
            out.clusterWideSecrets = p.clusterWideSecrets
            out.denied = p.denied
            f.identities[strings.string(user)] = out
        }
        return f
    }

    /// Adds a saved baseline, interning its names.
    public mutating func load(_ f: BaselineFile, _ strings: StringInterner) {
        for n in f.clusterNetworks where clusterNetworks.count < Baselines.cacheLimit { clusterNetworks.insert(strings.intern(n)) }
        for (name, saved) in f.identities {
            let user = strings.intern(name)
            guard var p = profiles[user] ?? newProfile() else { continue }
            for n in saved.networks { Baselines.insert(strings.intern(n), into: &p.networks) }
            for c in saved.clients { Baselines.insert(strings.intern(c), into: &p.products) }
            for ns in saved.namespaces { Baselines.insert(strings.intern(ns), into: &p.namespaces) }
            for a in saved.actions {
                guard let space = a.firstIndex(of: " ") else { continue }
                let action = UInt64(strings.intern(String(a[..<space]))) << 32 | UInt64(strings.intern(String(a[a.index(after: space)...])))
                if p.actions.count < Baselines.setLimit, !p.actions.contains(action) { p.actions.append(action) }
            }
            p.clusterWideSecrets = p.clusterWideSecrets || saved.clusterWideSecrets
            p.denied += saved.denied
            profiles[user] = p
        }
    }
}
