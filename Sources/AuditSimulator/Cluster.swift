/// Who talks to the simulated cluster: its nodes, control plane, operators, people and the
/// platform's own controllers, for one `Flavor`.
struct Cluster: Sendable {
    /// A node and its kubelet.
    struct Node: Sendable {
        var name: String
        var kubelet: Identity
        /// Runs the control plane (kubeadm and OpenShift masters only).
        var master: Bool
    }

    let flavor: Flavor
    let nodes: [Node]
    let controllerManager: Identity
    let scheduler: Identity
    let apiserver: Identity
    /// kube-controller-manager's controllers, each with its own service account.
    let controllers: [String: Identity]
    let coredns, argocd, prometheus, ingress, certManager, kubeStateMetrics, metricsServer: Identity
    /// `system:serviceaccount:web:frontend`: only ever reads its config map, from its pod.
    let frontend: Identity
    let people: [Identity]
    let ci: Identity
    /// The cluster's admin credential: `kubernetes-admin`, an IAM role, `masterclient`, `kube:admin`.
    let admin: Identity
    /// The platform's own controllers (eks:*, aksService, system:gke-*, openshift-*).
    let platform: [Identity]
    /// Addresses of the load balancers whose health checks reach the apiserver.
    let loadBalancers: [String]
    /// The kube-system pod (and container) the incident execs into first: etcd or kube-proxy.
    let controlPlanePod: (pod: String, container: String)
    /// The coredns pod whose service account token the coredns identity carries.
    let corednsPod: String

    static let kubeletVersion = "v1.29.4"

    init(flavor: Flavor, rng: inout SplitMix) {
        self.flavor = flavor
        let agentCM = "kube-controller-manager/v1.29.4 (linux/amd64) kubernetes/55019c8"
        var nodes: [Node] = []
        func add(_ name: String, _ ip: String, master: Bool = false) {
            nodes.append(Node(name: name, kubelet: .node(name, ip: ip, kubelet: Self.kubeletVersion), master: master))
        }
        let cpIP: String
        switch flavor {
        case .kubeadm:
            for m in 1...3 { add("k8s-master-0\(m)", "10.0.0.\(10 + m)", master: true) }
            for w in 1...18 { add("k8s-worker-\(w < 10 ? "0" : "")\(w)", "10.0.1.\(20 + w)") }
            cpIP = "10.0.0.11"
            loadBalancers = ["10.0.0.2", "10.0.0.3"]
        case .eks:
            for k in 0..<24 {
                let ip = "10.0.\(1 + k % 3).\(13 + k * 7 % 200)"
                add("ip-\(ip.replacingDots()).eu-west-1.compute.internal", ip)
            }
            cpIP = "10.0.100.21"
            loadBalancers = ["10.0.100.5", "10.0.101.5", "10.0.102.5"]
        case .aks:
            for k in 0..<16 { add("aks-nodepool1-12345678-vmss" + String(k, radix: 36).padding(6), "10.224.0.\(4 + k)") }
            cpIP = "10.224.0.200"
            loadBalancers = ["168.63.129.16"]
        case .gke:
            for k in 0..<20 { add("gke-prod-default-pool-1a2b3c4d-\(Names.suffix(4, &rng))", "10.128.0.\(10 + k)") }
            cpIP = "172.16.0.2"
            loadBalancers = ["35.191.0.10", "130.211.0.12"]
        case .openshift:
            for m in 0..<3 { add("master-\(m)", "10.0.0.\(20 + m)", master: true) }
            for k in 0..<12 { add("worker-eu-west-1\(["a", "b", "c"][k % 3])-\(Names.suffix(5, &rng))", "10.0.\(128 + k % 3).\(40 + k)") }
            cpIP = "10.0.0.20"
            loadBalancers = ["10.0.0.5", "10.0.0.6"]
        }
        self.nodes = nodes
        let someNode = nodes[nodes.count / 2].name
        let corednsPod = "coredns-\(Names.templateHash(&rng))-\(Names.suffix(5, &rng))"
        self.corednsPod = corednsPod

        controllerManager = .user(
            "system:kube-controller-manager", groups: ["system:authenticated"], agent: agentCM + "/leader-election", ip: cpIP,
            binding: "RBAC: allowed by ClusterRoleBinding \"system:kube-controller-manager\" of ClusterRole \"system:kube-controller-manager\" to User \"system:kube-controller-manager\"")
        scheduler = .user(
            "system:kube-scheduler", groups: ["system:authenticated"],
            agent: "kube-scheduler/v1.29.4 (linux/amd64) kubernetes/55019c8/scheduler", ip: cpIP,
            binding: "RBAC: allowed by ClusterRoleBinding \"system:kube-scheduler\" of ClusterRole \"system:kube-scheduler\" to User \"system:kube-scheduler\"")
        apiserver = .user(
            "system:apiserver", groups: ["system:authenticated"], agent: "kube-apiserver/v1.29.4 (linux/amd64) kubernetes/55019c8",
            ip: "::1", binding: "")
        var controllers: [String: Identity] = [:]
        for name in ["replicaset-controller", "deployment-controller", "endpointslice-controller", "generic-garbage-collector",
                     "namespace-controller", "node-controller", "job-controller", "certificate-controller"] {
            controllers[name] = Identity(
                name: "system:serviceaccount:kube-system:\(name)",
                groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
                agent: "\(agentCM)/system:serviceaccount:kube-system:\(name)", ip: cpIP,
                binding: "RBAC: allowed by ClusterRoleBinding \"system:controller:\(name)\" of ClusterRole \"system:controller:\(name)\" to ServiceAccount \"\(name)/kube-system\"",
                uid: StableID.uuid(name))
        }
        self.controllers = controllers

        func operatorSA(_ ns: String, _ name: String, _ agent: String, pod: String, ip: String) -> Identity {
            .serviceAccount(ns, name, agent: agent, ip: ip, pod: pod, node: nodes[Int(StableID.hash(pod) % UInt64(nodes.count))].name)
        }
        coredns = operatorSA("kube-system", "coredns", "coredns/v1.11.1 (linux/amd64) kubernetes/ae2bbc2", pod: corednsPod, ip: "10.244.1.4")
        argocd = operatorSA("argocd", "argocd-application-controller", "argocd-application-controller/v2.10.4+f5d63a5 (linux/amd64)",
                            pod: "argocd-application-controller-0", ip: "10.244.3.21")
        prometheus = operatorSA("monitoring", "prometheus-k8s", "Prometheus/2.51.1", pod: "prometheus-k8s-0", ip: "10.244.5.40")
        ingress = operatorSA("ingress-nginx", "ingress-nginx", "nginx-ingress-controller/v1.10.0 (linux/amd64) ingress-nginx/71f78d49f",
                             pod: "ingress-nginx-controller-6b9d4f7c8d-9wz5t", ip: "10.244.2.50")
        certManager = operatorSA("cert-manager", "cert-manager", "cert-manager-controller/v1.14.4 (linux/amd64) cert-manager/4ed2b3fe",
                                 pod: "cert-manager-7d6c8b9f5b-kq2lm", ip: "10.244.4.17")
        kubeStateMetrics = operatorSA("monitoring", "kube-state-metrics", "kube-state-metrics/v2.12.0 (linux/amd64) kubernetes/6a9bd3c",
                                      pod: "kube-state-metrics-5f8c9d7b6c-h7jrx", ip: "10.244.5.41")
        metricsServer = operatorSA("kube-system", "metrics-server", "metrics-server/v0.7.1 (linux/amd64) kubernetes/$Format",
                                   pod: "metrics-server-6d94bc8694-zq4vn", ip: "10.244.1.9")
        frontend = .serviceAccount(
            "web", "frontend", agent: "frontend/v0.0.0 (linux/amd64) kubernetes/$Format", ip: "10.244.7.23",
            pod: "frontend-5c8f7d9b6d-p4xzr", node: someNode,
            binding: "RBAC: allowed by RoleBinding \"frontend-config/web\" of Role \"config-reader\" to ServiceAccount \"frontend/web\"")
        people = [
            .user("alice@example.com", groups: ["platform-team", "system:authenticated"],
                  agent: "kubectl/v1.29.2 (darwin/arm64) kubernetes/4b8e819", ip: "192.0.2.10",
                  binding: "RBAC: allowed by ClusterRoleBinding \"platform-admins\" of ClusterRole \"cluster-admin\" to Group \"platform-team\"",
                  person: true),
            .user("bob@example.com", groups: ["payments-devs", "system:authenticated"],
                  agent: "kubectl/v1.28.7 (linux/amd64) kubernetes/c8dcb00", ip: "192.0.2.11",
                  binding: "RBAC: allowed by RoleBinding \"payments-devs/payments\" of ClusterRole \"edit\" to Group \"payments-devs\"",
                  person: true),
        ]
        ci = .serviceAccount("ci", "deployer", agent: "Helm/3.14.3", ip: "10.244.9.7", pod: "deployer-runner-7f9c6d5b8-2kd9x",
                             node: someNode, person: true)
        let masters = "RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to Group \"system:masters\""
        let kubectl = "kubectl/v1.29.4 (linux/amd64) kubernetes/55019c8"
        switch flavor {
        case .kubeadm:
            admin = .user("kubernetes-admin", groups: ["system:masters", "system:authenticated"], agent: kubectl, ip: "10.0.0.11", binding: masters, person: true)
            platform = []
            controlPlanePod = ("etcd-k8s-master-01", "etcd")
        case .eks:
            let arn = "arn:aws:sts::111122223333:assumed-role/Admin/alice"
            admin = .user(arn, groups: ["system:authenticated"], agent: kubectl, ip: "192.0.2.10",
                          binding: "EKS Access Policy: allowed by ClusterRoleBinding \"\(arn)\" of ClusterRole \"arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy\" to User \"\(arn)\"",
                          person: true)
            func eks(_ name: String, _ agent: String) -> Identity {
                .user("eks:\(name)", groups: ["system:authenticated"], agent: agent, ip: "10.0.100.\(20 + name.count)",
                      binding: "RBAC: allowed by ClusterRoleBinding \"eks:\(name)\" of ClusterRole \"eks:\(name)\" to User \"eks:\(name)\"")
            }
            platform = [
                eks("node-manager", "eks-node-manager/v0.0.0 (linux/amd64) kubernetes/$Format"),
                eks("certificate-controller", "eks-certificate-controller/v0.0.0 (linux/amd64) kubernetes/$Format"),
                eks("addon-manager", "eks-addon-manager/v1.0.0 (linux/amd64) kubernetes/$Format"),
                eks("cloud-controller-manager", "aws-cloud-controller-manager/v1.29.3 (linux/amd64) kubernetes/$Format"),
                eks("pod-identity-mutating-webhook", "amazon-eks-pod-identity-webhook/v0.5.3 (linux/amd64) kubernetes/$Format"),
            ]
            controlPlanePod = ("kube-proxy-\(Names.suffix(5, &rng))", "kube-proxy")
        case .aks:
            admin = .user("masterclient", groups: ["system:masters", "system:authenticated"], agent: kubectl, ip: "192.0.2.10", binding: masters, person: true)
            platform = [
                .user("aksService", groups: ["system:masters", "system:authenticated"], agent: "aks-operator/v1.0 (linux/amd64)", ip: "10.224.0.200", binding: masters),
                .user("nodeclient", groups: ["system:bootstrappers", "system:authenticated"], agent: "kubelet/v1.29.4 (linux/amd64) kubernetes/55019c8",
                      ip: "10.224.0.4",
                      binding: "RBAC: allowed by ClusterRoleBinding \"kubelet-bootstrap\" of ClusterRole \"system:node-bootstrapper\" to Group \"system:bootstrappers\""),
            ]
            controlPlanePod = ("kube-proxy-\(Names.suffix(5, &rng))", "kube-proxy")
        case .gke:
            admin = .user("admin@example.com", groups: ["system:authenticated"], agent: kubectl, ip: "192.0.2.10",
                          binding: "RBAC: allowed by ClusterRoleBinding \"owner-binding\" of ClusterRole \"cluster-admin\" to User \"admin@example.com\"",
                          person: true)
            platform = [
                .user("system:gke-controller", groups: ["system:authenticated"], agent: "gke-controller/v1.0 (linux/amd64)", ip: cpIP,
                      binding: "RBAC: allowed by ClusterRoleBinding \"system:gke-controller\" of ClusterRole \"system:gke-controller\" to User \"system:gke-controller\""),
                .user("system:clustermetrics", groups: ["system:authenticated"], agent: "cluster-metrics/v1.0 (linux/amd64)", ip: cpIP,
                      binding: "RBAC: allowed by ClusterRoleBinding \"system:clustermetrics\" of ClusterRole \"system:clustermetrics\" to User \"system:clustermetrics\""),
                .user("service-123456789012@container-engine-robot.iam.gserviceaccount.com", groups: ["system:authenticated"],
                      agent: "google-api-go-client/0.5 GoogleContainerEngine", ip: "35.235.240.7",
                      binding: "RBAC: allowed by ClusterRoleBinding \"kubelet-cluster-admin\" of ClusterRole \"system:node\" to User \"kubelet\""),
            ]
            controlPlanePod = ("kube-proxy-\(nodes[0].name)", "kube-proxy")
        case .openshift:
            admin = .user("kube:admin", groups: ["system:cluster-admins", "system:authenticated"], agent: "oc/4.15.0 (linux/amd64) kubernetes/c9b3d4e",
                          ip: "192.0.2.10",
                          binding: "RBAC: allowed by ClusterRoleBinding \"cluster-admins\" of ClusterRole \"cluster-admin\" to Group \"system:cluster-admins\"",
                          person: true)
            platform = ["openshift-apiserver-operator", "openshift-controller-manager-operator", "openshift-ingress-operator",
                        "openshift-monitoring"].map { ns in
                operatorSA(ns, ns.hasSuffix("operator") ? String(ns.dropFirst("openshift-".count)) : "cluster-monitoring-operator",
                           "cluster-\(ns.dropFirst("openshift-".count))/v0.0.0 (linux/amd64) kubernetes/$Format",
                           pod: "\(ns.dropFirst("openshift-".count))-\(Names.templateHash(&rng))-\(Names.suffix(5, &rng))", ip: "10.128.0.\(ns.count)")
            }
            controlPlanePod = ("etcd-master-0", "etcd")
        }
    }
}

private extension String {
    func replacingDots() -> String { String(map { $0 == "." ? "-" : $0 }) }
    /// Left-padded with zeros to `n` characters.
    func padding(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

extension Cluster {
    /// How the authorizer allows an anonymous health check.
    static let publicInfo = "RBAC: allowed by ClusterRoleBinding \"system:public-info-viewer\" of ClusterRole \"system:public-info-viewer\" to Group \"system:unauthenticated\""

    /// The health checker's client, per platform.
    var probeAgent: String {
        switch flavor {
        case .kubeadm, .openshift: "HAProxy"
        case .eks: "ELB-HealthChecker/2.0"
        case .aks: "Azure-Load-Balancer/1.0"
        case .gke: "GoogleHC/1.0"
        }
    }

    /// `system:anonymous` from `ip`.
    func anonymous(ip: String, agent: String) -> Identity {
        .user("system:anonymous", groups: ["system:unauthenticated"], agent: agent, ip: ip, binding: "")
    }
}
