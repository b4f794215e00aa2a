/// The identities a cluster's platform itself uses: known by default, so they are never
/// listed as unknown users. Known only means that; every other rule still applies to them.
///
/// The list is data in the known-users notation (exact names, globs, `group:NAME`). It is
/// printed by `audittop config print`, replaced with `--platform-identities FILE` (or the
/// configuration file's `platform-identities`), and switched off with `none`.
public enum PlatformIdentities {
    /// The built-in list, one entry a line, with where each comes from.
    public static let builtin = """
        # Kubernetes: identities the apiserver issues (system:anonymous is judged on its own)
        system:*
        # kubeadm: the admin kubeconfigs, and anyone in the group that bypasses RBAC
        kubernetes-admin
        kubernetes-super-admin
        group:system:masters
        # EKS: the control plane's own identities
        eks:*
        # AKS: the control plane's clients
        aksService
        masterclient
        nodeclient
        # GKE: Google-managed service accounts
        *@container-engine-robot.iam.gserviceaccount.com
        *@cloudservices.gserviceaccount.com
        # OpenShift: the installer's admin
        kube:admin
        """

    /// The built-in list, parsed.
    public static let builtinList = KnownUsers(text: builtin)
}
