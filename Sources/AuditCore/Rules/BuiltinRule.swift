/// The built-in rules that are code: stateful detectors (bursts, the memory of risky pods,
/// the identity rules and their baselines). The built-in rules that are a condition on one
/// request are data, in `BuiltinRules`.
public enum BuiltinRule: Int, Sendable, CaseIterable {
    case execIntoPrivileged, secretsListedEverywhere
    case newUnknownUser, denialBurst, serverErrorBurst
    case anonymousDenied, failedAuthenticationBurst, rbacEnumeration, serviceAccountTokenCreated, csrSelfApproved
    case newNetwork, tokenFromOutside, secretsAcrossNamespaces

    public var name: String {
        switch self {
        case .execIntoPrivileged: "Attach/Exec Into Privileged Pod"
        case .secretsListedEverywhere: "Secrets Listed In All Namespaces"
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
        case .anonymousDenied, .rbacEnumeration, .serviceAccountTokenCreated, .newNetwork, .secretsListedEverywhere: .medium
        case .newUnknownUser, .denialBurst, .serverErrorBurst: .low
        }
    }

    public var description: String {
        switch self {
        case .execIntoPrivileged: "exec or attach into a pod this feed saw created privileged or in a host namespace"
        case .secretsListedEverywhere: "secrets were listed or watched across all namespaces"
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
