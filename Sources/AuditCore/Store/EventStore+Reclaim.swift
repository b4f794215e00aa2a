extension EventStore {
    /// Distinct spellings of `groups` arrays remembered before that cache starts again.
    static let groupFormLimit = 65_536

    /// Frees the interned strings nothing refers to any more: not an event in the ring, the
    /// statistics (bounded top lists, denials, unknown users), the filter's view or the
    /// rules' tables. Then the caches keyed by id drop what they knew of freed ids, and the
    /// next reclaim waits until twice as many strings are in use.
    ///
    /// Runs between events, so no id is held in a local variable; costs one pass over the
    /// ring and the tables, a few milliseconds per 100,000 events held.
    public func reclaimStrings() {
        var live = LiveStrings(limit: strings.idLimit)
        ring.mark(&live)
        stats.mark(&live)
        view?.stats.mark(&live)
        rules?.mark(&live)
        let freed = strings.reclaim(keeping: live)
        groupForms = StringInterner()
        groupTargets = []
        counters.stringsReclaimed += freed
        if freed > 0 {
            probePaths = probePaths.filter { live.contains($0.key) }
            stats.prune(live)
            view?.stats.prune(live)
            rules?.prune(live)
        }
        reclaimAt = max(configuration.stringReclaimFloor, strings.count * 2)
    }
}
