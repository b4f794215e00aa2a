import AuditCore
import AuditDashboard
import Testing

/// Names as kubeadm, EKS, AKS, GKE and OpenShift clusters write them, shortened by kind.
@Suite struct IdentityNameTests {
    static let names: [(String, String)] = [
        // kubeadm
        ("system:serviceaccount:web:frontend", "sa:web/frontend"),
        ("system:serviceaccount:kube-system:replicaset-controller", "sa:kube-system/replicaset-controller"),
        ("system:node:k8s-worker-02", "node:k8s-worker-02"),
        ("system:kube-scheduler", "kube-scheduler"),
        ("system:kube-controller-manager", "kube-controller-manager"),
        ("system:kube-proxy", "kube-proxy"),
        ("system:apiserver", "apiserver"),
        ("system:anonymous", "system:anonymous"),
        ("kubernetes-admin", "kubernetes-admin"),
        ("dev-temp@contractor.example", "dev-temp@contractor.example"),
        // EKS
        ("system:node:ip-10-0-1-13.eu-west-1.compute.internal", "node:ip-10-0-1-13"),
        ("arn:aws:sts::111122223333:assumed-role/Admin/alice", "Admin/alice"),
        ("arn:aws:iam::111122223333:user/bob", "user/bob"),
        ("arn:aws:iam::111122223333:role/eks-node-role", "role/eks-node-role"),
        ("eks:node-manager", "eks:node-manager"),
        // AKS
        ("system:node:aks-nodepool1-12345678-vmss000000", "node:aks-nodepool1-12345678-vmss000000"),
        ("masterclient", "masterclient"),
        ("aksService", "aksService"),
        ("alice@contoso.onmicrosoft.com", "alice@contoso.onmicrosoft.com"),
        // GKE
        ("service-123456789012@container-engine-robot.iam.gserviceaccount.com", "service-123456789012@container-engine-robot"),
        ("ci-deployer@my-project.iam.gserviceaccount.com", "ci-deployer@my-project"),
        ("system:node:gke-prod-default-pool-1a2b3c4d-x9z8", "node:gke-prod-default-pool-1a2b3c4d-x9z8"),
        // OpenShift
        ("system:serviceaccount:openshift-monitoring:prometheus-k8s", "sa:openshift-monitoring/prometheus-k8s"),
        ("system:node:master-0.ocp4.example.com", "node:master-0"),
        ("system:admin", "system:admin"),
        ("kube:admin", "kube:admin"),
        // A node known by its address keeps it whole.
        ("system:node:10.0.1.13", "node:10.0.1.13"),
    ]

    @Test(arguments: IdentityNameTests.names)
    func aNameIsShortenedByItsKind(full: String, shown: String) {
        #expect(IdentityName.short(full) == shown)
    }

    @Test func aNameStillTooLongIsCutInTheMiddleNeverAtItsTail() {
        #expect(IdentityName.fit("dev-temp@contractor.example", width: 21) == "dev-te…ractor.example")
        #expect(IdentityName.fit("dev-temp@contractor.example", width: 40) == "dev-temp@contractor.example")
        #expect(IdentityName.fit("system:serviceaccount:kube-system:replicaset-controller", width: 20) == "sa:kub…et-controller")
        #expect(IdentityName.fit("x", width: 1) == "x")
        #expect(Ellipsis.middle("abcdef", width: 1) == "…")
        // Cells, not characters: a wide character is never split.
        let wide = Ellipsis.middle("山田太郎@example.jp", width: 10)
        #expect(CellWidth.of(wide) <= 10 && wide.contains("…") && wide.hasSuffix("ple.jp"))
        // Untrusted text is made visible-safe before it is measured.
        #expect(!Ellipsis.middle("ev\u{1B}[2Jil", width: 40).unicodeScalars.contains { $0.value == 0x1B })
    }

    @Test func anImpersonatedRequestShowsBothSidesShortened() {
        #expect(IdentityName.display(user: "system:serviceaccount:ci:deployer", impersonated: "alice@example.com") == "sa:ci/deployer→alice@example.com")
        let narrow = IdentityName.display(user: "system:serviceaccount:ci:deployer", impersonated: "alice@example.com", width: 20)
        #expect(CellWidth.of(narrow) <= 20 && narrow.contains("→"))
        #expect(IdentityName.display(user: "bob@example.com") == "bob@example.com")
    }
}
