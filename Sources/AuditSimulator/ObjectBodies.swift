/// Request and response bodies (raw JSON) for the requests a policy logs at Request or
/// RequestResponse level: pods, RBAC bindings, certificate signing requests.
enum PodSpec {
    /// A deployment's pod as the ReplicaSet controller posts it (`generateName`, no name yet),
    /// or as the apiserver answers it (`uid` set: named, with a uid).
    static func workload(_ d: Workload.Deployment, pod: String, node: String?, uid: String? = nil) -> String {
        let meta = uid.map { "\"name\":\"\(pod)\",\"generateName\":\"\(d.replicaSet)-\",\"namespace\":\"\(d.namespace)\",\"uid\":\"\($0)\",\"creationTimestamp\":null" }
            ?? "\"generateName\":\"\(d.replicaSet)-\",\"namespace\":\"\(d.namespace)\",\"creationTimestamp\":null"
        let image = "registry.example.com/\(d.namespace)/\(d.name):1.\(d.hash.utf8.first! % 40).\(d.hash.utf8.last! % 10)"
        return "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\(meta),\"labels\":{\"app\":\"\(d.name)\",\"pod-template-hash\":\"\(d.hash)\"},"
            + "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"\(d.replicaSet)\",\"uid\":\"\(StableID.uuid(d.replicaSet))\",\"controller\":true,\"blockOwnerDeletion\":true}]},"
            + "\"spec\":{\"volumes\":[{\"name\":\"kube-api-access\",\"projected\":{\"sources\":[{\"serviceAccountToken\":{\"expirationSeconds\":3607,\"path\":\"token\"}},{\"configMap\":{\"name\":\"kube-root-ca.crt\",\"items\":[{\"key\":\"ca.crt\",\"path\":\"ca.crt\"}]}}],\"defaultMode\":420}}],"
            + "\"containers\":[{\"name\":\"\(d.name)\",\"image\":\"\(image)\",\"ports\":[{\"name\":\"http\",\"containerPort\":8080,\"protocol\":\"TCP\"}],"
            + "\"env\":[{\"name\":\"LOG_LEVEL\",\"value\":\"info\"},{\"name\":\"POD_NAME\",\"valueFrom\":{\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":\"metadata.name\"}}}],"
            + "\"resources\":{\"limits\":{\"memory\":\"512Mi\"},\"requests\":{\"cpu\":\"100m\",\"memory\":\"256Mi\"}},"
            + "\"readinessProbe\":{\"httpGet\":{\"path\":\"/ready\",\"port\":\"http\",\"scheme\":\"HTTP\"},\"timeoutSeconds\":1,\"periodSeconds\":10,\"successThreshold\":1,\"failureThreshold\":3},"
            + "\"volumeMounts\":[{\"name\":\"kube-api-access\",\"readOnly\":true,\"mountPath\":\"/var/run/secrets/kubernetes.io/serviceaccount\"}],"
            + "\"terminationMessagePath\":\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\",\"imagePullPolicy\":\"IfNotPresent\","
            + "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"runAsNonRoot\":true,\"capabilities\":{\"drop\":[\"ALL\"]}}}],"
            + "\"restartPolicy\":\"Always\",\"terminationGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\",\"serviceAccountName\":\"\(d.name)\","
            + "\"securityContext\":{},\"schedulerName\":\"default-scheduler\",\"enableServiceLinks\":true,\"preemptionPolicy\":\"PreemptLowerPriority\"},"
            + "\"status\":{}}"
    }

    /// The attacker's pod: privileged, on the host's namespaces, with the node's `/` mounted at `/host`.
    static func privileged(name: String, namespace: String, node: String, uid: String? = nil) -> String {
        let meta = "\"name\":\"\(name)\",\"namespace\":\"\(namespace)\"" + (uid.map { ",\"uid\":\"\($0)\"" } ?? "") + ",\"creationTimestamp\":null"
        return "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\(meta)},\"spec\":{"
            + "\"volumes\":[{\"name\":\"host-root\",\"hostPath\":{\"path\":\"/\",\"type\":\"\"}}],"
            + "\"containers\":[{\"name\":\"shell\",\"image\":\"docker.io/library/alpine:3.19\",\"command\":[\"sleep\",\"infinity\"],"
            + "\"volumeMounts\":[{\"name\":\"host-root\",\"mountPath\":\"/host\"}],\"imagePullPolicy\":\"IfNotPresent\","
            + "\"securityContext\":{\"privileged\":true}}],"
            + "\"restartPolicy\":\"Never\",\"nodeName\":\"\(node)\",\"hostNetwork\":true,\"hostPID\":true,"
            + "\"tolerations\":[{\"operator\":\"Exists\"}]},\"status\":{}}"
    }
}

/// RBAC bindings and certificate requests, as posted.
enum RBACBody {
    /// A ClusterRoleBinding (or, with `namespace`, a RoleBinding) of `role` to one subject.
    static func binding(name: String, namespace: String? = nil, role: String, roleKind: String = "ClusterRole",
                        subjectKind: String, subject: String, subjectNamespace: String? = nil) -> String {
        let kind = namespace == nil ? "ClusterRoleBinding" : "RoleBinding"
        let ns = namespace.map { ",\"namespace\":\"\($0)\"" } ?? ""
        let subjectNS = subjectNamespace.map { ",\"namespace\":\"\($0)\"" } ?? ""
        let apiGroup = subjectKind == "ServiceAccount" ? "" : ",\"apiGroup\":\"rbac.authorization.k8s.io\""
        return "{\"kind\":\"\(kind)\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":{\"name\":\"\(name)\"\(ns),\"creationTimestamp\":null},"
            + "\"subjects\":[{\"kind\":\"\(subjectKind)\"\(apiGroup),\"name\":\"\(subject)\"\(subjectNS)}],"
            + "\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"\(roleKind)\",\"name\":\"\(role)\"}}"
    }

    /// A CertificateSigningRequest for a client certificate as `user` in `group`.
    static func csr(name: String, user: String, group: String) -> String {
        // A PEM request's base64 text, shortened; the subject is what matters to a reader.
        let request = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlJQ1ZqQ0NBVDRDQVFBd0VURVBNQTBHQTFVRUF3d0dZVzVuWld4aE1JSUJJakFOQmdrcWhraUc5dzBCQVFFRgpBQU9DQVE4QU1JSUJDZ0tDQVFFQTByczhJTHRHdTYxakx2dHhWTTJSVlRWMDNHWlJTWWw0dWluVWo4RElaWjBOCnR2MUZtRVFSd3VoaUZsOFEzcWl0Qm0wMUFSMkNJVXBGd2ZzSjZ4MXF3ckJzVkhZbGlBNVhwRVpZM3ExcGswSDQKM3Z3aGJlK1o2MVNrVHF5SVBYUUwrTWM5T1Nsbm0xb0R2N0NtSkZNMUlMRVI3QTVGZnZKOEdFRjJ6dHBoaUlFMwpub1dtdHNZb3JuT2wzc2lHQ2ZGZzR4Zmd4eW8ybmlneFNVekl1bXNnVm9PM2ttT0x1RVF6cXpkakJ3TFJXbWlECklmMXBMWnoyalVnald4UkhCM1gyWnVVV1d1T09PZnpXM01LaE8ybHEvZi9DdS8wYk83c0x0MCt3U2ZMSU91TFcKcW90blZtRmxMMytqTy82WDNDKzBERHk5aUtwbXJjVDBnWGZLemE1dHJRSURBUUFCb0FBd0RRWUpLb1pJaHZjTgpBUUVMQlFBRGdnRUJBR05WdmVIOGR4ZzNvK21VeVRkbmFjVmQ1N24zSkExdnZEU1JWREkyQTZ1eXN3ZFp1L1BVCkkwZXpZWFV0RVNnSk1IRmQycVVNMjNuNVJsSXJ3R0xuUXFISUh5VStWWHhsdnZsRnpNOVpEWllSTmU3QlJvYXgKQVlEdUI5STZXT3FYbkFvczFqRmxNUG5NbFpqdU5kSGxpT1BjTU1oNndLaTZzZFhpVStHYTJ2RUVLY01jSVUyRgpvU2djUWdMYTk0aEpacGk3ZnNMdm1OQUxoT045UHdNMGM1dURXOCtCcmpHMC9EMFR4ZzVQb0gzMmVHVjNRSUlUCjBhSVJ0N2VmR3l5djBhbW5CT2wzN3N6dTNPNktNL0NhT3RGZDB1cGF0S1JHMGw0dElaTEpXcHlVNENKRWJEVXkKL2pHSVMwNHBwbGZLb0hCRlVzQU1hdEdhaWhPemhBTDhUWmNBV1F3PQotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K"
        return "{\"kind\":\"CertificateSigningRequest\",\"apiVersion\":\"certificates.k8s.io/v1\",\"metadata\":{\"name\":\"\(name)\",\"creationTimestamp\":null},"
            + "\"spec\":{\"request\":\"\(request)\",\"signerName\":\"kubernetes.io/kube-apiserver-client\",\"expirationSeconds\":31536000,"
            + "\"usages\":[\"client auth\"],\"username\":\"\(user)\",\"groups\":[\"\(group)\",\"system:authenticated\"]},\"status\":{}}"
    }

    /// The approval condition an `update certificatesigningrequests/approval` posts.
    static func approval(name: String, user: String) -> String {
        "{\"kind\":\"CertificateSigningRequest\",\"apiVersion\":\"certificates.k8s.io/v1\",\"metadata\":{\"name\":\"\(name)\"},"
            + "\"spec\":{\"signerName\":\"kubernetes.io/kube-apiserver-client\",\"usages\":[\"client auth\"],\"username\":\"\(user)\"},"
            + "\"status\":{\"conditions\":[{\"type\":\"Approved\",\"status\":\"True\",\"reason\":\"KubectlApprove\",\"message\":\"This CSR was approved by kubectl certificate approve.\",\"lastUpdateTime\":null}]}}"
    }
}

/// An EndpointSlice as the endpoint-slice controller writes it: one endpoint per pod.
enum EndpointSliceBody {
    static func of(_ d: Workload.Deployment, name: String, resourceVersion: Int) -> String {
        var endpoints: [String] = []
        for (k, pod) in d.pods.enumerated() {
            let ip = "10.244.\(pod.node).\(10 + (Int(StableID.hash(pod.name) % 200) + k) % 240)"
            endpoints.append("{\"addresses\":[\"\(ip)\"],\"conditions\":{\"ready\":true,\"serving\":true,\"terminating\":false},"
                + "\"targetRef\":{\"kind\":\"Pod\",\"namespace\":\"\(d.namespace)\",\"name\":\"\(pod.name)\"},\"nodeName\":\"node-\(pod.node)\"}")
        }
        return "{\"kind\":\"EndpointSlice\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":{\"name\":\"\(name)\",\"generateName\":\"\(d.name)-\","
            + "\"namespace\":\"\(d.namespace)\",\"resourceVersion\":\"\(resourceVersion)\",\"labels\":{\"endpointslice.kubernetes.io/managed-by\":\"endpointslice-controller.k8s.io\","
            + "\"kubernetes.io/service-name\":\"\(d.name)\"}},\"addressType\":\"IPv4\",\"endpoints\":[\(endpoints.joined(separator: ","))],"
            + "\"ports\":[{\"name\":\"http\",\"protocol\":\"TCP\",\"port\":8080}]}"
    }
}
