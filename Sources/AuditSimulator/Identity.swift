/// Who sends a request: a user as the authenticator saw it, with the agent and address it
/// usually comes from and the words the RBAC authorizer uses to allow it.
struct Identity: Sendable {
    var name: String
    var groups: [String]
    var agent: String
    var ip: String
    /// How the authorizer words its allow reason for this identity (empty: none written).
    var binding: String
    /// The event's `user` object, written once: `{"username":…,"uid":…,"groups":[…],"extra":{…}}`.
    let userJSON: [UInt8]
    /// People, CI and admins: their requests are logged at RequestReceived too.
    var person: Bool

    init(name: String, groups: [String], agent: String, ip: String, binding: String,
         uid: String? = nil, extra: [(String, String)] = [], person: Bool = false) {
        self.name = name
        self.groups = groups
        self.agent = agent
        self.ip = ip
        self.binding = binding
        self.person = person
        var w = EventWriter()
        if name.isEmpty {
            w.raw("{}")
        } else {
            w.raw("{")
            w.field("username", name, first: true)
            if let uid { w.field("uid", uid) }
            w.key("groups")
            w.strings(groups)
            if !extra.isEmpty {
                w.raw(",\"extra\":{")
                for (k, (key, value)) in extra.enumerated() {
                    if k > 0 { w.raw(",") }
                    w.quoted(key)
                    w.raw(":[")
                    w.quoted(value)
                    w.raw("]")
                }
                w.raw("}")
            }
            w.raw("}")
        }
        userJSON = w.out
    }

    /// The same user from another address and client: a stolen credential.
    func using(ip: String, agent: String) -> Identity {
        var copy = self
        copy.ip = ip
        copy.agent = agent
        return copy
    }

    /// No user at all: authentication failed (`"user":{}`).
    static func unauthenticated(agent: String, ip: String) -> Identity {
        Identity(name: "", groups: [], agent: agent, ip: ip, binding: "")
    }

    /// A user authenticated by a client certificate or a static credential.
    static func user(_ name: String, groups: [String], agent: String, ip: String, binding: String, person: Bool = false) -> Identity {
        Identity(name: name, groups: groups, agent: agent, ip: ip, binding: binding, person: person)
    }

    /// A service account with a bound token: uid and the pod it was issued to in `extra`.
    static func serviceAccount(_ ns: String, _ name: String, agent: String, ip: String, pod: String, node: String,
                               binding: String? = nil, person: Bool = false) -> Identity {
        let user = "system:serviceaccount:\(ns):\(name)"
        return Identity(
            name: user, groups: ["system:serviceaccounts", "system:serviceaccounts:\(ns)", "system:authenticated"],
            agent: agent, ip: ip,
            binding: binding ?? "RBAC: allowed by ClusterRoleBinding \"\(name)\" of ClusterRole \"\(name)\" to ServiceAccount \"\(name)/\(ns)\"",
            uid: StableID.uuid(user),
            extra: [
                ("authentication.kubernetes.io/credential-id", "JTI=" + StableID.uuid(user + "/jti")),
                ("authentication.kubernetes.io/node-name", node),
                ("authentication.kubernetes.io/node-uid", StableID.uuid(node)),
                ("authentication.kubernetes.io/pod-name", pod),
                ("authentication.kubernetes.io/pod-uid", StableID.uuid(pod)),
            ],
            person: person)
    }

    /// A kubelet: `system:node:NAME` in `system:nodes`.
    static func node(_ name: String, ip: String, kubelet: String) -> Identity {
        Identity(
            name: "system:node:\(name)", groups: ["system:nodes", "system:authenticated"],
            agent: "kubelet/\(kubelet) (linux/amd64) kubernetes/55019c8", ip: ip,
            binding: "")
    }
}

/// UUIDs and hex strings derived from a name, so the same name always gets the same one.
enum StableID {
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for u in s.utf8 { h = (h ^ UInt64(u)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    static func uuid(_ s: String) -> String {
        var rng = SplitMix(seed: hash(s))
        return rng.uuid()
    }
}
