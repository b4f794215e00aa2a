/// The detection rules audittop knows without a rules file, named after their Falco
/// counterparts (k8s_audit_rules.yaml) where one exists.
public enum BuiltinRule: Int, Sendable, CaseIterable {
    case anonymousAllowed, execAttach, execIntoPrivileged, portForward, ephemeralContainers
    case privilegedPod, hostNetworkPod, hostPIDPod, hostIPCPod, sensitiveMountPod
    case clusterAdminBinding, wildcardClusterRole, writeClusterRole, podExecClusterRole, systemClusterRoleModified
    case secretReadByPerson, secretsListedEverywhere, kubeNamespaceServiceAccount, kubeNamespacePod
    case impersonation, nodeProxy, eventsDeleted, auditConfigurationDeleted, nodePortService, configMapCredentials
    case newUnknownUser, denialBurst, serverErrorBurst
    case anonymousDenied, failedAuthenticationBurst, rbacEnumeration, serviceAccountTokenCreated, csrSelfApproved
    case newNetwork, tokenFromOutside, secretsAcrossNamespaces

    public var name: String {
        switch self {
        case .anonymousAllowed: "Anonymous Request Allowed"
        case .execAttach: "Attach/Exec Pod"
        case .execIntoPrivileged: "Attach/Exec Into Privileged Pod"
        case .portForward: "Port-Forward Into Pod"
        case .ephemeralContainers: "EphemeralContainers Created"
        case .privilegedPod: "Create Privileged Pod"
        case .hostNetworkPod: "Create HostNetwork Pod"
        case .hostPIDPod: "Create HostPid Pod"
        case .hostIPCPod: "Create HostIPC Pod"
        case .sensitiveMountPod: "Create Sensitive Mount Pod"
        case .clusterAdminBinding: "Attach to cluster-admin Role"
        case .wildcardClusterRole: "ClusterRole With Wildcard Created"
        case .writeClusterRole: "ClusterRole With Write Privileges Created"
        case .podExecClusterRole: "ClusterRole With Pod Exec Created"
        case .systemClusterRoleModified: "System ClusterRole Modified/Deleted"
        case .secretReadByPerson: "Secret Read By Non-Service Identity"
        case .secretsListedEverywhere: "Secrets Listed In All Namespaces"
        case .kubeNamespaceServiceAccount: "K8s Serviceaccount Created in Kube Namespace"
        case .kubeNamespacePod: "Pod Created in Kube Namespace"
        case .impersonation: "Impersonation"
        case .nodeProxy: "Node Proxy Access"
        case .eventsDeleted: "K8s Events Deleted"
        case .auditConfigurationDeleted: "Audit-Relevant Configuration Deleted"
        case .nodePortService: "Create NodePort Service"
        case .configMapCredentials: "Create/Modify Configmap With Private Credentials"
        case .newUnknownUser: "New Unknown User"
        case .denialBurst: "Denial Burst"
        case .serverErrorBurst: "Server Error Burst"
        case .anonymousDenied: "Anonymous Request Denied"
        case .failedAuthenticationBurst: "Failed Authentication Burst"
        case .rbacEnumeration: "RBAC Enumeration"
        case .serviceAccountTokenCreated: "Service Account Token Created"
        case .csrSelfApproved: "CSR Created And Approved By One Identity"
        case .newNetwork: "Known Identity From A New Network"
        case .tokenFromOutside: "Service Account Token Used From Outside"
        case .secretsAcrossNamespaces: "Secrets Read Across New Namespaces"
        }
    }

    public var severity: Severity {
        switch self {
        case .execIntoPrivileged: .critical
        case .failedAuthenticationBurst, .csrSelfApproved, .tokenFromOutside, .secretsAcrossNamespaces: .high
        case .anonymousDenied, .rbacEnumeration, .serviceAccountTokenCreated, .newNetwork: .medium
        case .anonymousAllowed, .execAttach, .privilegedPod, .hostNetworkPod, .hostPIDPod, .hostIPCPod, .sensitiveMountPod,
            .clusterAdminBinding:
            .high
        case .portForward, .ephemeralContainers, .wildcardClusterRole, .writeClusterRole, .podExecClusterRole, .systemClusterRoleModified,
            .secretReadByPerson, .secretsListedEverywhere, .kubeNamespaceServiceAccount, .impersonation, .nodeProxy,
            .eventsDeleted, .auditConfigurationDeleted, .configMapCredentials:
            .medium
        case .kubeNamespacePod, .nodePortService, .newUnknownUser, .denialBurst, .serverErrorBurst: .low
        }
    }

    public var description: String {
        switch self {
        case .anonymousAllowed: "system:anonymous was allowed a request other than a health check"
        case .execAttach: "someone ran a command in, or attached to, a container (pods/exec, pods/attach)"
        case .execIntoPrivileged: "exec or attach into a pod this feed saw created privileged or in a host namespace"
        case .portForward: "a port of a pod was forwarded to a client (pods/portforward)"
        case .ephemeralContainers: "an ephemeral (debug) container was added to a running pod"
        case .privilegedPod: "a pod with a privileged container was created (needs request bodies)"
        case .hostNetworkPod: "a pod using the node's network namespace was created (needs request bodies)"
        case .hostPIDPod: "a pod sharing the node's process namespace was created (needs request bodies)"
        case .hostIPCPod: "a pod sharing the node's IPC namespace was created (needs request bodies)"
        case .sensitiveMountPod: "a pod mounting a sensitive host path (/, /etc, /proc, /root, the runtime socket, kubelet or kubernetes folders) was created (needs request bodies)"
        case .clusterAdminBinding: "a ClusterRoleBinding or RoleBinding to cluster-admin was created or changed (needs request bodies)"
        case .wildcardClusterRole: "a ClusterRole granting * resources or * verbs was created or changed (needs request bodies)"
        case .writeClusterRole: "a ClusterRole granting write verbs was created (needs request bodies)"
        case .podExecClusterRole: "a ClusterRole granting pods/exec was created (needs request bodies)"
        case .systemClusterRoleModified: "a system: ClusterRole or Role was changed or deleted"
        case .secretReadByPerson: "a secret was read or listed by an identity that is not a service account, node or control-plane component"
        case .secretsListedEverywhere: "secrets were listed or watched across all namespaces"
        case .kubeNamespaceServiceAccount: "a service account was created in kube-system or kube-public"
        case .kubeNamespacePod: "a pod was created in kube-system or kube-public by someone other than the control plane"
        case .impersonation: "a request was made while impersonating another user"
        case .nodeProxy: "the API server proxied a request to a node (nodes/proxy: the kubelet API)"
        case .eventsDeleted: "Kubernetes events were deleted (covering tracks)"
        case .auditConfigurationDeleted: "admission webhooks, admission policies or audit sinks were deleted"
        case .nodePortService: "a Service of type NodePort was created (needs request bodies)"
        case .configMapCredentials: "a ConfigMap holding what looks like credentials was created or changed (needs request bodies)"
        case .newUnknownUser: "a user not on the known-users list made their first request"
        case .denialBurst: "one user was denied many requests within a short window"
        case .serverErrorBurst: "the API server answered many requests with 5xx within a short window"
        case .anonymousDenied: "system:anonymous was denied a request other than a health probe (per source IP)"
        case .failedAuthenticationBurst: "10 or more requests failed authentication (401) from one source IP within 60 s (not a private address that failed while learning)"
        case .rbacEnumeration: "a service account asked what it may do (SelfSubjectRulesReview, SelfSubjectAccessReview), or anyone outside the platform listed its rules (SelfSubjectRulesReview), 10 or more times within 60 s"
        case .serviceAccountTokenCreated: "a service-account token was minted (serviceaccounts/token) by someone other than a kubelet or the control plane"
        case .csrSelfApproved: "a certificate signing request was created and approved by the same identity outside the control plane"
        case .newNetwork: "an identity with a baseline made a request from a network it did not use while learning"
        case .tokenFromOutside: "a service-account token was used from a public address, an address outside the cluster's networks, or with a tool (curl, python-requests) its account never used"
        case .secretsAcrossNamespaces: "one identity read secrets in 4 or more namespaces within 60 s where it had never read secrets before (nor, in its baseline, used the namespace)"
        }
    }

    /// Rules that read `requestObject`: with a policy that logs no bodies they cannot be
    /// evaluated, and the report says how often that happened.
    public var needsBody: Bool {
        switch self {
        case .privilegedPod, .hostNetworkPod, .hostPIDPod, .hostIPCPod, .sensitiveMountPod, .clusterAdminBinding,
            .wildcardClusterRole, .writeClusterRole, .podExecClusterRole, .nodePortService, .configMapCredentials:
            true
        default: false
        }
    }

    /// The rules about identities: their detectors run (and baselines are learned) only when
    /// one of them is on.
    public static let identityRules: [BuiltinRule] = [
        .anonymousDenied, .failedAuthenticationBurst, .rbacEnumeration, .serviceAccountTokenCreated, .csrSelfApproved,
        .newNetwork, .tokenFromOutside, .secretsAcrossNamespaces,
    ]

    public static func named(_ name: String) -> BuiltinRule? {
        allCases.first { $0.name.lowercased() == name.lowercased() }
    }
}
