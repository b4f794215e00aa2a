/// What a data rule's condition demands of the fields the ring entry holds as ids besides the
/// resource and verb (which `DataRuleIndex` sorts by): the user, the impersonated user and the
/// subresource. The engine checks it before the rule's matcher runs, so that a rule such as
/// "an impersonated request" or "anonymous was allowed" costs a compare, not an evaluation,
/// on the events it cannot match.
///
/// It only ever admits more than the matcher would: each demand comes from a top-level `and`
/// or `or` of tests on the same field as the matcher reads (the entry's id), and a field with
/// no value fails every test, as the matcher has it.
struct EntryGate: Sendable {
    private var users: IDSet?
    private var subresources: IDSet?
    /// The rule needs an impersonated user.
    private var impersonated = false
    /// The rule needs a request with no subresource.
    private var noSubresource = false

    /// The gate of `condition`, or nil when it demands none of these. Sigma's rules (which
    /// compare without case) get none.
    init?(_ condition: Condition, folds: Bool, intern: (String) -> UInt32) {
        guard !folds else { return nil }
        func ids(_ f: FalcoField, _ path: [String]) -> IDSet? {
            var out: Set<UInt32>?
            for field in [EventField.falco(f, argument: nil), .path(path)] {
                guard let values = condition.required(field) else { continue }
                let set = Set(values.map(intern))
                out = out.map { $0.intersection(set) } ?? set
            }
            return out.map(IDSet.init)
        }
        users = ids(.userName, ["user", "username"])
        subresources = ids(.targetSubresource, ["objectRef", "subresource"])
        impersonated = condition.needsValue(.falco(.impersonatedUser, argument: nil))
            || condition.needsValue(.path(["impersonatedUser", "username"]))
        noSubresource = condition.needsNoValue(.falco(.targetSubresource, argument: nil))
            || condition.needsNoValue(.path(["objectRef", "subresource"]))
        if users == nil, subresources == nil, !impersonated, !noSubresource { return nil }
    }

    @inline(__always) func admits(_ e: RingEntry) -> Bool {
        if impersonated, e.impersonatedUser == 0 { return false }
        if noSubresource, e.subresource != 0 { return false }
        if let users, !users.contains(e.user) { return false }
        if let subresources, !subresources.contains(e.subresource) { return false }
        return true
    }
}
