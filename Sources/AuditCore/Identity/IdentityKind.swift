/// What kind of identity a username is, from its shape: the rules ask it whether a request
/// came from the cluster's own machinery or from a person or a workload.
public enum IdentityKind: Sendable, Equatable {
    /// `system:anonymous`.
    case anonymous
    /// No username: authentication failed.
    case unauthenticated
    /// The apiserver, controller manager, scheduler, kube-proxy and the managed control
    /// planes' own clients (EKS, AKS).
    case controlPlane
    /// `system:node:NAME`, a kubelet.
    case node
    /// `system:serviceaccount:NAMESPACE:NAME`, a workload's token.
    case serviceAccount
    /// Any other `system:` identity (bootstrap tokens, GKE's components).
    case otherSystem
    /// Everything else: people, CI, cloud IAM principals.
    case person

    public init(_ name: String) {
        if name.isEmpty { self = .unauthenticated; return }
        if name == "system:anonymous" { self = .anonymous; return }
        if name.hasPrefix("system:serviceaccount:") { self = .serviceAccount; return }
        if name.hasPrefix("system:node:") { self = .node; return }
        if IdentityKind.controlPlaneNames.contains(name) || name.hasPrefix("eks:") || name.hasPrefix("system:gke-") {
            self = .controlPlane
            return
        }
        self = name.hasPrefix("system:") ? .otherSystem : .person
    }

    /// Control-plane identities by exact name.
    static let controlPlaneNames: Set<String> = [
        "system:kube-controller-manager", "system:kube-scheduler", "system:apiserver", "system:kube-proxy",
        "aksService", "masterclient", "nodeclient", "system:cloud-controller-manager",
    ]

    /// The control plane, nodes, and the service accounts of kube-system's built-in controllers.
    public static func isPlatformComponent(_ name: String) -> Bool {
        switch IdentityKind(name) {
        case .controlPlane, .node: return true
        case .serviceAccount: return name.hasPrefix("system:serviceaccount:kube-system:")
        default: return false
        }
    }
}
