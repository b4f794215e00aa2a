/// The identity rules: learning baselines, the stateful detectors, and the rules that ask
/// who an identity is.
extension RuleEngine {
    /// Shows the request to every stateful detector, then learns it into the baselines while
    /// the learning window is open.
    func identityRules(_ input: DetectorInput) {
        let (e, id, time, store) = (input.entry, input.id, input.time, input.store)
        let (actor, kind, learning, tokenNode) = (input.actor, input.kind, input.learning, input.tokenNode)
        if e.resource == ids.serviceaccounts, e.subresource == ids.token, e.verb == ids.create, !input.denied,
            !IdentityKind.isPlatformComponent(store.strings.string(actor))
        {
            fire(.serviceAccountTokenCreated, e, id: id, time: time, store,
                 note: "token for \(store.strings.string(e.namespace))/\(store.strings.string(e.name)) by \(store.actorName(e))")
        }
        report(failedLogins.look(at: input), input)
        report(anonymousDenials.look(at: input), input)
        report(enumeration.look(at: input), input)
        report(csrApprovals.look(at: input), input)
        report(secretsSweep.look(at: input), input)
        report(outsideUse.look(at: input), input)
        // Learnt after the detectors looked, so a request is judged against what came before it.
        if learning, baselines.isNew(e, tokenNode: tokenNode) {
            let clusterWide = e.resource == ids.secrets && e.namespace == 0 && (e.verb == ids.list || e.verb == ids.watch)
            let address = baselines.address(e.sourceIP, store.strings)
            let network = address.isLoopback ? 0 : address.network
            // Which addresses are a node's own: its kubelet's, and those of the tokens bound to it.
            if network != 0, kind == .node || tokenNode != 0 {
                baselines.learnNode(tokenNode != 0 ? tokenNode : nodeName(actor, store), network: network)
            }
            baselines.learn(
                actor: actor, kind: kind, network: network,
                product: baselines.client(e.userAgent, store.strings).product, namespace: e.namespace, action: Baselines.Action(e),
                clusterWideSecrets: clusterWide, denied: e.isDenied)
        }
    }

    /// The id of `NAME` for the kubelet `system:node:NAME`.
    func nodeName(_ user: UInt32, _ store: EventStore) -> UInt32 {
        if let n = nodeNames[user] { return n }
        if nodeNames.count >= Baselines.identityLimit { nodeNames.removeAll() }
        let n = store.strings.intern(String(store.strings.string(user).dropFirst("system:node:".count)))
        nodeNames[user] = n
        return n
    }

    /// The kind of identity `user` is, decided once per id.
    func identityKind(_ user: UInt32, _ store: EventStore) -> IdentityKind {
        let i = Int(user)
        if i < kinds.count, let k = kinds[i] { return k }
        if i >= kinds.count { kinds.append(contentsOf: repeatElement(nil, count: i + 1 - kinds.count + 256)) }
        let k = IdentityKind(store.strings.string(user))
        kinds[i] = k
        return k
    }
}
