/// The ordinary traffic of the cluster, one randomly chosen request at a time: kubelets,
/// controllers, operators, reviews, people and CI. Clock-driven requests are in `Periodic`.
extension Simulator {
    mutating func ordinaryRequest(at time: Int64) -> SimulatedRequest {
        let roll = rng.unit()
        switch roll {
        case ..<0.25: return kubeletRequest()
        case ..<0.30: return nodeRequest()
        case ..<0.315: return podChurn()
        case ..<0.40: return controllerRequest()
        case ..<0.43: return eventPatch()
        case ..<0.47: return apiserverRequest()
        case ..<0.50: return schedulerRequest()
        case ..<0.59: return argocdRequest()
        case ..<0.66: return prometheusRequest()
        case ..<0.70: return ingressRequest()
        case ..<0.72: return certManagerRequest()
        case ..<0.76: return watch()
        case ..<0.795: return kubeStateMetricsRequest()
        case ..<0.83: return reviewRequest()
        case ..<0.835:
            // A forgotten job with an expired token: 401s, with no user at all.
            return SimulatedRequest(who: .unauthenticated(agent: "Go-http-client/2.0", ip: "10.244.12.31"), verb: "get",
                                    nonResourcePath: "/api", query: "?timeout=32s", code: 401, latency: latency(mean: 300))
        case ..<0.86: return frontendRequest()
        case ..<0.88: return personRequest()
        case ..<0.89: return ciRequest()
        case ..<0.892: return adminRequest()
        case ..<0.94 where !cluster.platform.isEmpty: return platformRequest()
        case ..<0.94: return kubeletRequest()
        default: return corednsRequest()
        }
    }

    private mutating func controllerRequest() -> SimulatedRequest {
        let d = workload.deployments[Int(rng.next() % UInt64(workload.deployments.count))]
        let roll = rng.unit()
        switch roll {
        case ..<0.3:
            _ = workload.write()
            return SimulatedRequest(who: cluster.controllers["replicaset-controller"]!, verb: "update", apiGroup: "apps",
                                    resource: "replicasets", subresource: "status", namespace: d.namespace, name: d.replicaSet,
                                    latency: latency(mean: 5_000))
        case ..<0.5:
            _ = workload.write()
            return SimulatedRequest(who: cluster.controllers["deployment-controller"]!, verb: "update", apiGroup: "apps",
                                    resource: "deployments", subresource: "status", namespace: d.namespace, name: d.name,
                                    code: rng.unit() < 0.03 ? 409 : 200, latency: latency(mean: 6_000))
        case ..<0.8:
            _ = workload.write()
            var update = SimulatedRequest(who: cluster.controllers["endpointslice-controller"]!, verb: "update", apiGroup: "discovery.k8s.io",
                                          resource: "endpointslices", namespace: d.namespace, name: d.name + "-" + d.hash.suffix(5),
                                          latency: latency(mean: 4_000))
            update.requestObject = EndpointSliceBody.of(d, name: update.name, resourceVersion: workload.resourceVersion)
            return update
        case ..<0.9:
            return SimulatedRequest(who: cluster.controllers["generic-garbage-collector"]!, verb: "get", apiGroup: "apps",
                                    resource: "replicasets", namespace: d.namespace, name: d.replicaSet, latency: latency(mean: 1_500))
        default:
            let name = ["namespace-controller", "node-controller", "job-controller"][Int(rng.next() % 3)]
            let resource = name == "node-controller" ? "nodes" : (name == "job-controller" ? "jobs" : "namespaces")
            return SimulatedRequest(who: cluster.controllers[name]!, verb: "list", apiGroup: resource == "jobs" ? "batch" : "",
                                    resource: resource, query: Names.initialList, latency: latency(mean: 6_000))
        }
    }

    private mutating func apiserverRequest() -> SimulatedRequest {
        let ns = rng.pick(Workload.namespaces)
        if rng.unit() < 0.3 {
            return SimulatedRequest(who: cluster.apiserver, verb: "get", resource: "services", namespace: "default", name: "kubernetes",
                                    latency: latency(mean: 600))
        }
        let resource = rng.pick(["namespaces", "resourcequotas", "limitranges"])
        return SimulatedRequest(who: cluster.apiserver, verb: resource == "namespaces" ? "get" : "list", resource: resource,
                                namespace: ns, name: resource == "namespaces" ? ns : "", latency: latency(mean: 800))
    }

    private mutating func schedulerRequest() -> SimulatedRequest {
        if rng.unit() < 0.6 {
            return SimulatedRequest(who: cluster.scheduler, verb: "get", apiGroup: "coordination.k8s.io", resource: "leases",
                                    namespace: "kube-system", name: "kube-scheduler", query: "?timeout=5s", latency: latency(mean: 1_500))
        }
        return SimulatedRequest(who: cluster.scheduler, verb: "list", resource: rng.pick(["pods", "nodes", "persistentvolumeclaims"]),
                                query: "?limit=500&resourceVersion=\(workload.recentVersion(&rng))", latency: latency(mean: 12_000))
    }

    private mutating func argocdRequest() -> SimulatedRequest {
        let d = workload.deployments[Int(rng.next() % UInt64(workload.deployments.count))]
        let roll = rng.unit()
        if roll < 0.4 {
            return SimulatedRequest(who: cluster.argocd, verb: "get", apiGroup: "argoproj.io", version: "v1alpha1", resource: "applications",
                                    namespace: "argocd", name: d.namespace + "-" + d.name, latency: latency(mean: 3_000))
        }
        if roll < 0.55 {
            _ = workload.write()
            return SimulatedRequest(who: cluster.argocd, verb: "patch", apiGroup: "argoproj.io", version: "v1alpha1", resource: "applications",
                                    namespace: "argocd", name: d.namespace + "-" + d.name, query: "?fieldManager=argocd-controller",
                                    latency: latency(mean: 9_000), bodyBytes: 3_000 + Int(rng.next() % 4_000))
        }
        let resource = rng.pick(["deployments", "services", "configmaps", "ingresses", "replicasets"])
        let group = ["deployments": "apps", "replicasets": "apps", "ingresses": "networking.k8s.io"][resource] ?? ""
        return SimulatedRequest(who: cluster.argocd, verb: "get", apiGroup: group, resource: resource, namespace: d.namespace,
                                name: resource == "replicasets" ? d.replicaSet : d.name, latency: latency(mean: 4_000))
    }

    private mutating func prometheusRequest() -> SimulatedRequest {
        if rng.unit() < 0.3 {
            return SimulatedRequest(who: cluster.prometheus, verb: "get", nonResourcePath: "/metrics", latency: latency(mean: 25_000))
        }
        return SimulatedRequest(who: cluster.prometheus, verb: "list", resource: rng.pick(["pods", "endpoints", "services"]),
                                namespace: rng.pick(Workload.namespaces),
                                query: "?limit=500&resourceVersion=\(workload.recentVersion(&rng))", latency: latency(mean: 30_000))
    }

    private mutating func ingressRequest() -> SimulatedRequest {
        if rng.unit() < 0.6 {
            return SimulatedRequest(who: cluster.ingress, verb: "get", apiGroup: "coordination.k8s.io", resource: "leases",
                                    namespace: "ingress-nginx", name: "ingress-nginx-leader", latency: latency(mean: 2_000))
        }
        _ = workload.write()
        return SimulatedRequest(who: cluster.ingress, verb: "update", apiGroup: "coordination.k8s.io", resource: "leases",
                                namespace: "ingress-nginx", name: "ingress-nginx-leader", latency: latency(mean: 3_000))
    }

    private mutating func certManagerRequest() -> SimulatedRequest {
        let d = workload.deployments[Int(rng.next() % UInt64(workload.deployments.count))]
        if rng.unit() < 0.5 {
            return SimulatedRequest(who: cluster.certManager, verb: "get", apiGroup: "cert-manager.io", resource: "certificates",
                                    namespace: d.namespace, name: d.name + "-tls", latency: latency(mean: 2_000))
        }
        return SimulatedRequest(who: cluster.certManager, verb: "get", resource: "secrets", namespace: d.namespace, name: d.name + "-tls",
                                latency: latency(mean: 1_800))
    }

    /// An informer's watch: re-established every 5 to 10 minutes from the latest resourceVersion.
    private mutating func watch() -> SimulatedRequest {
        let who = rng.pick([cluster.coredns, cluster.ingress, cluster.prometheus, cluster.argocd, cluster.certManager,
                            cluster.controllerManager, cluster.scheduler, cluster.kubeStateMetrics])
        let resource = rng.pick(["endpointslices", "services", "pods", "configmaps", "namespaces", "nodes"])
        let seconds = 300 + Int(rng.next() % 300)
        return SimulatedRequest(
            who: who, verb: "watch", apiGroup: resource == "endpointslices" ? "discovery.k8s.io" : "", resource: resource,
            query: Names.watchQuery(resourceVersion: workload.recentVersion(&rng), timeout: seconds),
            latency: Int64(seconds) * 1_000_000 + Int64(rng.next() % 1_000_000), longRunning: true)
    }

    /// kube-state-metrics lacks a permission it keeps asking for: a steady stream of 403s.
    private mutating func kubeStateMetricsRequest() -> SimulatedRequest {
        if rng.unit() < 0.7 {
            return SimulatedRequest(who: cluster.kubeStateMetrics, verb: "list", apiGroup: "coordination.k8s.io", resource: "leases",
                                    query: Names.initialList, code: 403, latency: latency(mean: 1_200))
        }
        return SimulatedRequest(who: cluster.kubeStateMetrics, verb: "list", apiGroup: "apps",
                                resource: rng.pick(["deployments", "replicasets", "statefulsets", "daemonsets"]),
                                query: "?limit=500&resourceVersion=\(workload.recentVersion(&rng))", latency: latency(mean: 20_000))
    }

    /// Webhook authentication and authorization: TokenReviews and SubjectAccessReviews (no name).
    private mutating func reviewRequest() -> SimulatedRequest {
        let who = rng.unit() < 0.5 ? cluster.metricsServer : cluster.nodes[Int(rng.next() % UInt64(cluster.nodes.count))].kubelet
        if rng.unit() < 0.55 {
            return SimulatedRequest(who: who, verb: "create", apiGroup: "authentication.k8s.io", resource: "tokenreviews", code: 201,
                                    latency: latency(mean: 1_500))
        }
        return SimulatedRequest(who: who, verb: "create", apiGroup: "authorization.k8s.io", resource: "subjectaccessreviews", code: 201,
                                latency: latency(mean: 1_000))
    }

    /// The web frontend reads its config map, from its pod, and nothing else.
    private mutating func frontendRequest() -> SimulatedRequest {
        SimulatedRequest(who: cluster.frontend, verb: "get", resource: "configmaps", namespace: "web", name: "frontend-config",
                         latency: latency(mean: 1_200))
    }

    private mutating func corednsRequest() -> SimulatedRequest {
        SimulatedRequest(who: cluster.coredns, verb: "list", apiGroup: "discovery.k8s.io", resource: "endpointslices",
                         query: "?limit=500&resourceVersion=\(workload.recentVersion(&rng))", latency: latency(mean: 4_000))
    }
}
