import AuditSimulator
import Testing

/// The incident's steps a-h, each a real audit event shape, and each flavor's identities.
@Suite struct SimulatorIncidentTests {
    static var log: SimulatedLog { SimulatorTests.log }
    static let attacker = "203.0.113.45"
    static let scanner = "198.51.100.77"
    static let frontend = "system:serviceaccount:web:frontend"

    @Test func aTheStolenTokenListsSecretsEverywhereThenBindsItselfToClusterAdmin() throws {
        let stolen = Self.log.from(Self.attacker).filter { $0.user == Self.frontend }
        let lists = stolen.filter { $0.verb == "list" && $0.resource == "secrets" && !$0.namespace.isEmpty }
        #expect(lists.count >= 10)
        #expect(lists.allSatisfy { $0.agent == "curl/8.5.0" })
        #expect(lists.contains { $0.code == 403 && $0.decision == "forbid" } && lists.contains { $0.code == 200 && $0.decision == "allow" })
        let span = ISO8601.seconds(lists.last!.received)! - ISO8601.seconds(lists.first!.received)!
        #expect(span <= 60)
        let bind = try #require(stolen.first { $0.resource == "clusterrolebindings" && $0.verb == "create" })
        #expect(bind.code == 201 && bind.apiGroup == "rbac.authorization.k8s.io" && bind.line > lists.last!.line)
        let body = try #require(bind.requestObject)
        #expect(body.contains("\"cluster-admin\"") && body.contains("\"ServiceAccount\"") && body.contains("\"frontend\""))
        #expect(stolen.contains { $0.verb == "list" && $0.resource == "secrets" && $0.namespace.isEmpty && $0.code == 200 })
    }

    @Test func bExecIntoKubeSystemAndAPrivilegedPodWithTheHostRoot() throws {
        let stolen = Self.log.from(Self.attacker).filter { $0.user == Self.frontend }
        let execs = stolen.filter { $0.subresource == "exec" && $0.verb == "create" }
        #expect(execs.count == 3)
        #expect(execs.allSatisfy { $0.namespace == "kube-system" && $0.code == 101 })
        #expect(execs.contains { $0.name == "etcd-k8s-master-01" } && execs.contains { $0.name.hasPrefix("coredns-") })
        let pod = try #require(stolen.first { $0.resource == "pods" && $0.verb == "create" && $0.subresource.isEmpty })
        #expect(pod.namespace == "kube-system" && pod.code == 201)
        let spec = try #require(pod.requestObject)
        #expect(spec.contains("\"privileged\":true") && spec.contains("\"hostPath\":{") && spec.contains("\"path\":\"\\/\""))
        #expect(execs.contains { $0.name == pod.name && $0.line > pod.line })
    }

    @Test func cTempAdminAppearsOnlyThroughImpersonationByTheAdmin() {
        let all = Self.log.events
        #expect(!all.contains { $0.user == "temp-admin" })
        let impersonated = all.filter { $0.impersonated == "temp-admin" }
        #expect(impersonated.count >= 5)
        #expect(impersonated.allSatisfy { $0.user == "kubernetes-admin" && $0.sourceIP == Self.attacker && $0.stage == "ResponseComplete" })
        #expect(impersonated.contains { $0.resource == "secrets" && $0.verb == "get" && $0.code == 200 })
        #expect(impersonated.contains { $0.resource == "rolebindings" && $0.verb == "create" && $0.code == 201 })
        // The admin is known before: it has been looking around from its usual address.
        #expect(all.contains { $0.user == "kubernetes-admin" && $0.impersonated == nil && $0.sourceIP != Self.attacker })
    }

    @Test func dAnonymousProbesAreForbiddenThenFortyLoginsFailWithNoUser() {
        let scanner = Self.log.from(Self.scanner)
        let probes = scanner.filter { $0.user == "system:anonymous" }
        #expect(probes.count == 4)
        #expect(probes.allSatisfy { $0.code == 403 && $0.decision == "forbid" })
        #expect(Set(probes.map(\.uri)) == ["/api/v1/pods", "/api/v1/secrets", "/.env", "/api/v1/namespaces/kube-system/secrets"])
        let logins = scanner.filter { $0.user == nil }
        #expect(logins.count == 40)
        #expect(logins.allSatisfy { $0.code == 401 && $0.decision == nil && $0.impersonated == nil })
        let span = ISO8601.seconds(logins.last!.received)! - ISO8601.seconds(logins.first!.received)!
        #expect(span <= 30)
        #expect(logins.first!.line > probes.last!.line)
    }

    @Test func eKubeSystemEventsAreDeletedByTheStolenToken() {
        let deletes = Self.log.from(Self.attacker).filter { $0.resource == "events" && ($0.verb == "delete" || $0.verb == "deletecollection") }
        #expect(deletes.contains { $0.verb == "deletecollection" && $0.code == 200 })
        #expect(deletes.allSatisfy { $0.namespace == "kube-system" && $0.user == Self.frontend })
        // Nobody else deletes events.
        #expect(!Self.log.completed.contains { $0.resource == "events" && $0.verb.hasPrefix("delete") && $0.sourceIP != Self.attacker })
    }

    @Test func fTheStolenTokenEnumeratesItsRightsInABurst() {
        let reviews = Self.log.from(Self.attacker).filter {
            $0.user == Self.frontend && ($0.resource == "selfsubjectrulesreviews" || $0.resource == "selfsubjectaccessreviews")
        }
        #expect(reviews.count == 15)
        #expect(reviews.allSatisfy { $0.apiGroup == "authorization.k8s.io" && $0.verb == "create" && $0.code == 201 })
        let span = ISO8601.seconds(reviews.last!.received)! - ISO8601.seconds(reviews.first!.received)!
        #expect(span <= 20)
    }

    @Test func gTheStolenTokenRequestsAKubeSystemServiceAccountToken() throws {
        let token = try #require(Self.log.from(Self.attacker).first { $0.subresource == "token" })
        #expect(token.user == Self.frontend && token.verb == "create" && token.resource == "serviceaccounts")
        #expect(token.namespace == "kube-system" && token.code == 201)
    }

    @Test func hACertificateIsRequestedAndApprovedByTheSameIdentity() throws {
        let csr = Self.log.completed.filter { $0.resource == "certificatesigningrequests" && $0.apiGroup == "certificates.k8s.io" }
        let create = try #require(csr.first { $0.verb == "create" })
        let approve = try #require(csr.first { $0.verb == "update" && $0.subresource == "approval" })
        #expect(create.name == approve.name && create.code == 201 && approve.code == 200 && approve.line > create.line)
        #expect(create.user == approve.user && create.impersonated == approve.impersonated && create.impersonated == "temp-admin")
        #expect(create.requestObject?.contains("kube-apiserver-client") == true)
    }

    @Test(arguments: Flavor.allCases)
    func eachFlavorHasItsNodesAdminAndPlatformIdentities(flavor: Flavor) {
        let log = SimulatedLog(events: 30_000, flavor: flavor, incidentAt: 0.1)
        let users = Set(log.events.compactMap(\.user))
        let nodes = users.filter { $0.hasPrefix("system:node:") }
        #expect((12...30).contains(nodes.count), "\(nodes.count) nodes")
        let expected: [String]
        let node: String
        switch flavor {
        case .kubeadm:
            expected = ["kubernetes-admin", "system:kube-controller-manager", "system:kube-scheduler", "system:apiserver",
                        "system:serviceaccount:monitoring:kube-state-metrics", "system:serviceaccount:cert-manager:cert-manager"]
            node = "system:node:k8s-worker-01"
        case .eks:
            expected = ["eks:node-manager", "eks:certificate-controller", "eks:addon-manager", "eks:cloud-controller-manager",
                        "eks:pod-identity-mutating-webhook", "arn:aws:sts::111122223333:assumed-role/Admin/alice"]
            node = "system:node:ip-10-0-1-13.eu-west-1.compute.internal"
        case .aks:
            expected = ["aksService", "masterclient", "nodeclient"]
            node = "system:node:aks-nodepool1-12345678-vmss000000"
        case .gke:
            expected = ["system:gke-controller", "service-123456789012@container-engine-robot.iam.gserviceaccount.com"]
            node = "system:node:gke-prod-default-pool-1a2b3c4d-"
        case .openshift:
            expected = ["kube:admin", "system:serviceaccount:openshift-ingress-operator:ingress-operator"]
            node = "system:node:master-0"
        }
        for user in expected { #expect(users.contains(user), "\(flavor): \(user)") }
        #expect(nodes.contains { $0.hasPrefix(node) }, "\(flavor): \(node)")
        // The incident's first steps are there on every platform.
        #expect(log.events.contains { $0.sourceIP == Self.attacker && $0.resource == "selfsubjectrulesreviews" })
        #expect(log.events.filter { $0.sourceIP == Self.scanner && $0.user == nil && $0.code == 401 }.count == 40)
    }
}
