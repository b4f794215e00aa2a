/// The data rules an event can match, by its resource and verb: the rules whose conditions
/// require another resource or verb are never shown it. Sigma's rules, which match without
/// case, are found by the event's resource and verb lowercased as well.
///
/// The rules for each (resource, verb) pair are worked out once and kept in a direct-mapped
/// table, so an event costs one table read; the table is bounded and emptied when the
/// interner's ids change generation.
struct DataRuleIndex {
    private let resources: [IDSet?]
    private let verbs: [IDSet?]
    private static let slots = 4096
    /// Per slot: `resource << 32 | verb`, and where its rules are in `lists` (-1: empty).
    private var keys = [UInt64](repeating: 0, count: slots)
    private var where_ = [Int32](repeating: -1, count: slots)
    private var lists: [[Int]] = []
    private var epoch = -1

    init(_ rules: [PreparedRule]) {
        resources = rules.map(\.resources)
        verbs = rules.map(\.verbs)
    }

    /// The rules to show an event of `resource` and `verb`, in load order. `lowercased` gives
    /// an id's lowercased string's id (0 when it was never interned).
    mutating func candidates(resource: UInt32, verb: UInt32, epoch: Int, lowercased: (UInt32) -> UInt32) -> [Int] {
        if epoch != self.epoch {
            where_.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
            lists.removeAll(keepingCapacity: true)
            self.epoch = epoch
        }
        let key = UInt64(resource) << 32 | UInt64(verb)
        let slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 52) & (Self.slots - 1)
        let at = where_[slot]
        if at >= 0 && keys[slot] == key { return lists[Int(at)] }
        // A miss: the rules are chosen from every rule's sets, by the ids as they are and
        // lowercased (a superset of what each rule's own matching can take).
        let foldedResource = resource == 0 ? 0 : lowercased(resource)
        let foldedVerb = verb == 0 ? 0 : lowercased(verb)
        func admits(_ set: IDSet?, _ id: UInt32, _ folded: UInt32) -> Bool {
            guard let set else { return true }
            return set.contains(id) || (folded != 0 && folded != id && set.contains(folded))
        }
        let chosen = resources.indices.filter {
            admits(resources[$0], resource, foldedResource) && admits(verbs[$0], verb, foldedVerb)
        }
        if lists.count >= Self.slots { lists.removeAll(keepingCapacity: true); where_.withUnsafeMutableBufferPointer { $0.update(repeating: -1) } }
        keys[slot] = key
        where_[slot] = Int32(lists.count)
        lists.append(chosen)
        return chosen
    }
}
