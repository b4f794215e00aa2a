/// The unauthenticated health and discovery endpoints that load balancers, kubelets and
/// OIDC clients call as `system:anonymous`. Allowed, they are ordinary traffic: they neither
/// make `system:anonymous` an unknown user nor fire a rule.
public enum AnonymousProbe {
    /// The probe paths (a path also matches with a `/…` suffix, as `/readyz/etcd` does).
    public static let paths = ["/healthz", "/livez", "/readyz", "/version", "/.well-known/openid-configuration", "/openid/v1/jwks"]

    /// True when `path` (a non-resource request's path, no query) is a probe.
    public static func isProbe(path: String) -> Bool {
        paths.contains { path == $0 || path.hasPrefix($0 + "/") }
    }
}
