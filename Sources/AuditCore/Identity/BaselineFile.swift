/// A baseline as `--baseline FILE` saves it: what each identity did while audittop was
/// learning, by name, so another session (or another day) starts from it.
public struct BaselineFile: Codable, Sendable, Equatable {
    /// What one identity was seen doing.
    public struct Profile: Codable, Sendable, Equatable {
        /// Source networks (`10.0.1.0/24`, `2001:db8:1:2::/64`).
        public var networks: [String] = []
        /// Client products (the user agent without its version: `kubectl`, `curl`).
        public var clients: [String] = []
        public var namespaces: [String] = []
        /// `verb resource` pairs (`list secrets`, `create pods/exec`).
        public var actions: [String] = []
        /// Listed or watched secrets across all namespaces.
        public var clusterWideSecrets = false
        /// Requests denied while learning.
        public var denied = 0

        public init() {}
    }

    /// The format's version; loading refuses another.
    public var version = 1
    /// Networks that nodes and service accounts used: the cluster's own.
    public var clusterNetworks: [String] = []
    /// By identity (the impersonated user for impersonated requests).
    public var identities: [String: Profile] = [:]
    /// Private addresses that failed to authenticate while learning: a pod with an expired
    /// token, not a scanner.
    public var failingAddresses: [String] = []

    public init() {}
}
