/// Who talks to the simulated cluster: the identities, agents and addresses of a
/// small production cluster with a control plane, nodes, operators and a few people.
struct Identity: Sendable {
    var name: String
    var groups: [String]
    var agent: String
    var ip: String
    /// How the RBAC authorizer words its allow reason for this identity.
    var binding: String
}

enum Cluster {
    static let nodes: [Identity] = (1...8).map { n in
        Identity(
            name: "system:node:ip-10-0-1-\(10 + n).eu-west-1.compute.internal",
            groups: ["system:nodes", "system:authenticated"],
            agent: "kubelet/v1.29.4 (linux/amd64) kubernetes/55019c8", ip: "10.0.1.\(10 + n)",
            binding: "RBAC: allowed by ClusterRoleBinding \"system:node\" of ClusterRole \"system:node\" to Group \"system:nodes\"")
    }

    static let controllerManager = Identity(
        name: "system:kube-controller-manager", groups: ["system:authenticated"],
        agent: "kube-controller-manager/v1.29.4 (linux/amd64) kubernetes/55019c8/leader-election", ip: "10.0.0.10",
        binding: "RBAC: allowed by ClusterRoleBinding \"system:kube-controller-manager\" of ClusterRole \"system:kube-controller-manager\" to User \"system:kube-controller-manager\"")

    static let scheduler = Identity(
        name: "system:kube-scheduler", groups: ["system:authenticated"],
        agent: "kube-scheduler/v1.29.4 (linux/amd64) kubernetes/55019c8/leader-election", ip: "10.0.0.10",
        binding: "RBAC: allowed by ClusterRoleBinding \"system:kube-scheduler\" of ClusterRole \"system:kube-scheduler\" to User \"system:kube-scheduler\"")

    static let apiserver = Identity(
        name: "system:apiserver", groups: ["system:masters"],
        agent: "kube-apiserver/v1.29.4 (linux/amd64) kubernetes/55019c8", ip: "::1",
        binding: "")

    static func serviceAccount(_ ns: String, _ name: String, agent: String, ip: String) -> Identity {
        Identity(
            name: "system:serviceaccount:\(ns):\(name)",
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(ns)", "system:authenticated"],
            agent: agent, ip: ip,
            binding: "RBAC: allowed by ClusterRoleBinding \"\(name)\" of ClusterRole \"\(name)\" to ServiceAccount \"\(name)/\(ns)\"")
    }

    static let coredns = serviceAccount("kube-system", "coredns", agent: "coredns/v1.11.1 (linux/amd64) kubernetes/ae2bbc2", ip: "10.0.2.15")
    static let replicaset = serviceAccount("kube-system", "replicaset-controller", agent: "kube-controller-manager/v1.29.4 (linux/amd64) kubernetes/55019c8/system:serviceaccount:kube-system:replicaset-controller", ip: "10.0.0.10")
    static let argocd = serviceAccount("argocd", "argocd-application-controller", agent: "argocd-application-controller/v2.10.4+f5d63a5 (linux/amd64)", ip: "10.0.3.21")
    static let prometheus = serviceAccount("monitoring", "prometheus-k8s", agent: "Prometheus/2.51.1", ip: "10.0.3.40")
    static let ingress = serviceAccount("ingress-nginx", "ingress-nginx", agent: "nginx-ingress-controller/v1.10.0 (linux/amd64) ingress-nginx/71f78d49f", ip: "10.0.3.50")
    static let kubeStateMetrics = serviceAccount("monitoring", "kube-state-metrics", agent: "kube-state-metrics/v2.12.0 (linux/amd64) kubernetes/6a9bd3c", ip: "10.0.3.41")

    static let people: [Identity] = [
        Identity(
            name: "alice@example.com", groups: ["platform-team", "system:authenticated"],
            agent: "kubectl/v1.29.2 (darwin/arm64) kubernetes/4b8e819", ip: "192.0.2.10",
            binding: "RBAC: allowed by ClusterRoleBinding \"platform-admins\" of ClusterRole \"cluster-admin\" to Group \"platform-team\""),
        Identity(
            name: "bob@example.com", groups: ["payments-devs", "system:authenticated"],
            agent: "kubectl/v1.28.7 (linux/amd64) kubernetes/c8dcb00", ip: "192.0.2.11",
            binding: "RBAC: allowed by RoleBinding \"payments-devs/payments\" of ClusterRole \"edit\" to Group \"payments-devs\""),
        serviceAccount("ci", "deployer", agent: "helm/v3.14.3 (linux/amd64)", ip: "10.0.4.7"),
    ]

    static let namespaces = ["default", "payments", "checkout", "monitoring", "ingress-nginx", "argocd"]
    static let podNames = ["api-7d9f8c6b5d-x2kqp", "api-7d9f8c6b5d-m8tzr", "worker-5c7b9d4f8-qq7lp", "web-6f8d7c9b4-2hxkw", "redis-0", "postgres-0"]

    /// The incident: a user nobody has seen, from outside the company network.
    static let intruder = Identity(
        name: "dev-temp@contractor.example", groups: ["contractors", "system:authenticated"],
        agent: "kubectl/v1.30.0 (linux/amd64) kubernetes/7c48c2b", ip: "203.0.113.45",
        binding: "RBAC: allowed by ClusterRoleBinding \"contractors-view\" of ClusterRole \"view\" to Group \"contractors\"")

    static let anonymous = Identity(
        name: "system:anonymous", groups: ["system:unauthenticated"], agent: "python-requests/2.31.0", ip: "198.51.100.77",
        binding: "RBAC: allowed by ClusterRoleBinding \"system:public-info-viewer\" of ClusterRole \"system:public-info-viewer\" to Group \"system:unauthenticated\"")
}
