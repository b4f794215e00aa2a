#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EventStore {
    static func stage(_ e: DecodedEvent, _ base: UnsafePointer<UInt8>) -> Stage {
        let s = e.stage
        guard !s.escaped else { return .unknown }
        let c = JSONCursor(base: base, end: 0, maxDepth: 0)
        switch s.count {
        case 16 where c.equals(s, "ResponseComplete"): return .responseComplete
        case 15 where c.equals(s, "ResponseStarted"): return .responseStarted
        case 15 where c.equals(s, "RequestReceived"): return .requestReceived
        case 5 where c.equals(s, "Panic"): return .panic
        default: return .unknown
        }
    }

    static func level(_ e: DecodedEvent, _ base: UnsafePointer<UInt8>) -> Level {
        let s = e.level
        let c = JSONCursor(base: base, end: 0, maxDepth: 0)
        switch s.count {
        case 8 where c.equals(s, "Metadata"): return .metadata
        case 7 where c.equals(s, "Request"): return .request
        case 15 where c.equals(s, "RequestResponse"): return .requestResponse
        case 4 where c.equals(s, "None"): return .none
        default: return .unknown
        }
    }

    /// Interns an event's fields into a ring entry (raw offset still unset).
    func makeEntry(_ e: inout DecodedEvent, id: AuditID, stage: Stage) -> RingEntry {
        let base = e.base
        func intern(_ s: Span) -> UInt32 { strings.intern(s, in: base, scratch: &scratch) }
        let c = JSONCursor(base: base, end: 0, maxDepth: 0)
        var decision = Decision.none
        if c.equals(e.decision, "allow") { decision = .allow } else if c.equals(e.decision, "forbid") { decision = .forbid }
        var flags: UInt8 = 0
        if e.code == 401 || e.code == 403 || decision == .forbid { flags |= RingEntry.deniedFlag }
        let verb = intern(e.verb)
        let sub = e.subresource
        if verb == watchIDValue || c.equals(sub, "exec") || c.equals(sub, "attach") || c.equals(sub, "portforward")
            || c.equals(sub, "proxy") || (c.equals(sub, "log") && EventStore.contains(base, e.requestURI, "follow=true"))
        {
            flags |= RingEntry.longRunningFlag
        }
        // The path is kept for non-resource requests only (`/healthz`, `/version`); a
        // resource request's path follows from its object fields, and most are unique.
        var pathSpan = Span.empty
        if e.resource.isEmpty {
            pathSpan = e.requestURI
            if !pathSpan.escaped, let q = memchr(base + pathSpan.start, Int32(UInt8(ascii: "?")), pathSpan.count) {
                pathSpan.count = UnsafePointer<UInt8>(q.assumingMemoryBound(to: UInt8.self)) - (base + pathSpan.start)
            }
        }
        return RingEntry(
            auditIDHigh: id.high, auditIDLow: id.low,
            received: e.received ?? 0, stageTime: e.stageTime ?? 0,
            rawOffset: RawStore.notStored, rawLength: UInt32(clamping: e.raw.count),
            verb: verb, user: intern(e.username), groups: internGroups(base, e.groups),
            impersonatedUser: intern(e.impersonatedUser), sourceIP: intern(e.sourceIP),
            userAgent: intern(e.userAgent), apiGroup: intern(e.apiGroup), apiVersion: intern(e.objectAPIVersion),
            resource: intern(e.resource), subresource: intern(e.subresource), namespace: intern(e.namespace),
            name: intern(e.name), path: intern(pathSpan), statusReason: intern(e.reason),
            decisionReason: flags & RingEntry.deniedFlag != 0 ? intern(e.decisionReason) : 0, source: currentSource, code: Int16(e.code),
            stage: stage, level: EventStore.level(e, base), decision: decision, flags: flags)
    }

    static func contains(_ base: UnsafePointer<UInt8>, _ span: Span, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard span.count >= n else { return false }
        for s in span.start...(span.start + span.count - n) where memcmp(base + s, needle.utf8Start, n) == 0 {
            return true
        }
        return false
    }

    /// Interns a groups array as one string of names joined by newlines. The same array
    /// repeats on every request of a user, so its raw spelling maps straight to that id.
    private func internGroups(_ base: UnsafePointer<UInt8>, _ groups: Span) -> UInt32 {
        guard groups.count > 2 else { return 0 }
        let form = Int(groupForms.intern(base + groups.start, groups.count))
        if form < groupTargets.count, groupTargets[form] != UInt32.max { return groupTargets[form] }
        var joined: [UInt8] = []
        EventDecoder.forEachString(base: base, array: groups) { s in
            if !joined.isEmpty { joined.append(0x0A) }
            JSONText.unescape(base: base, span: s, into: &joined)
        }
        let id = joined.withUnsafeBufferPointer { $0.count == 0 ? 0 : strings.intern($0.baseAddress!, $0.count) }
        if form >= groupTargets.count {
            groupTargets.append(contentsOf: repeatElement(UInt32.max, count: form + 1 - groupTargets.count))
        }
        groupTargets[form] = id
        return id
    }

    /// The id of an entry's `group/resource[/subresource]` key, or of its path when it has
    /// no resource.
    func resourceKey(_ entry: RingEntry) -> UInt32 {
        if entry.resource == 0 { return entry.path }
        // Remembered per slot for the interner's epoch: a log has a few hundred resources,
        // and every event needs its key up to three times.
        if resourceKeys.epoch != strings.epoch { resourceKeys = ResourceKeyMemo(epoch: strings.epoch) }
        let slot = Int((entry.apiGroup &* 0x9E37_79B9 ^ entry.resource &* 0x85EB_CA6B ^ entry.subresource &* 0xC2B2_AE35) >> 24)
        let known = resourceKeys.slots[slot]
        if known.resource == entry.resource, known.group == entry.apiGroup, known.subresource == entry.subresource { return known.key }
        let key = buildResourceKey(entry)
        resourceKeys.slots[slot] = (entry.apiGroup, entry.resource, entry.subresource, key)
        return key
    }

    private func buildResourceKey(_ entry: RingEntry) -> UInt32 {
        scratch.removeAll(keepingCapacity: true)
        if entry.apiGroup != 0 {
            strings.withBytes(entry.apiGroup) { scratch.append(contentsOf: $0) }
            scratch.append(UInt8(ascii: "/"))
        }
        strings.withBytes(entry.resource) { scratch.append(contentsOf: $0) }
        if entry.subresource != 0 {
            scratch.append(UInt8(ascii: "/"))
            strings.withBytes(entry.subresource) { scratch.append(contentsOf: $0) }
        }
        return scratch.withUnsafeBufferPointer { strings.intern($0.baseAddress!, $0.count) }
    }

    /// The user's groups as strings.
    func groupNames(_ groups: UInt32) -> [String] {
        groups == 0 ? [] : strings.string(groups).split(separator: "\n").map(String.init)
    }

    /// Counts a request the first time any of its events arrives.
    func countRequest(_ entry: RingEntry, message: @autoclosure () -> String, verbClass: VerbClass, into stats: inout Statistics) {
        let resource = resourceKey(entry)
        let denied = entry.isDenied
        let time = entry.received
        if time != 0 {
            stats.perSecond.addRequest(at: time, verb: verbClass, code: CodeClass(code: Int(entry.code)), denied: denied)
            stats.perMinute.addRequest(at: time, verb: verbClass, code: CodeClass(code: Int(entry.code)), denied: denied)
            stats.firstTime = min(stats.firstTime ?? time, time)
            stats.lastTime = max(stats.lastTime ?? time, time)
            stats.unknown.noteEventTime(time)
        }
        let actor = entry.actor
        stats.users.add(actor)
        stats.verbs.add(entry.verb)
        stats.resources.add(resource)
        if entry.namespace != 0 { stats.namespaces.add(entry.namespace) }
        stats.userAgents.add(entry.userAgent)
        stats.sourceIPs.add(entry.sourceIP)
        stats.codes.add(UInt32(Int(entry.code) + 1))
        stats.sources.add(UInt32(entry.source))
        let anonymous = actor == anonymousIDValue
        if anonymous {
            stats.anonymousRequests += 1
            if denied { stats.anonymousDenied += 1 }
        }
        if denied { addDenied(entry, resource: resource, message: message(), into: &stats) }
        let impersonated = entry.impersonatedUser != 0
        if anonymous || actor == 0 {
            // Clients with no name are told apart by address; allowed probes are ordinary.
            if !(anonymous && !denied && isAnonymousProbe(entry)) {
                stats.unknown.observe(
                    unknownKey(entry), at: time, verb: entry.verb, resource: resource, sourceIP: entry.sourceIP,
                    agent: entry.userAgent, denied: denied, anonymous: anonymous, impersonator: 0)
            }
        } else if stats.unknown.isUnknown(
            actor, at: time, impersonated: impersonated, name: { strings.string(actor) },
            groups: { impersonated ? [] : groupNames(entry.groups) })
        {
            stats.unknown.observe(
                unknownKey(entry), at: time, verb: entry.verb, resource: resource, sourceIP: entry.sourceIP,
                agent: entry.userAgent, denied: denied, anonymous: false, impersonator: impersonated ? entry.user : 0)
        }
    }

    /// The unknown-users record an entry belongs to: its identity, and for anonymous and
    /// unauthenticated requests its source IP too.
    func unknownKey(_ entry: RingEntry) -> UInt64 {
        let actor = entry.actor
        return UnknownUsers.key(actor, sourceIP: actor == 0 || actor == anonymousIDValue ? entry.sourceIP : 0)
    }

    /// True for an anonymous health or discovery probe (`AnonymousProbe`).
    func isAnonymousProbe(_ entry: RingEntry) -> Bool {
        guard entry.resource == 0, entry.path != 0 else { return false }
        if let known = probePaths[entry.path] { return known }
        if probePaths.count >= 4096 { probePaths.removeAll() }
        let probe = AnonymousProbe.isProbe(path: strings.string(entry.path))
        probePaths[entry.path] = probe
        return probe
    }

    /// Counts one event of a request into `stats`: a request seen for the first time (no
    /// `previous`), or a later stage that may change its outcome. Returns the request's outcome
    /// with this event.
    func account(
        _ entry: RingEntry, stageBit: UInt8, previous: RequestTable.Outcome?, message: @autoclosure () -> String,
        into stats: inout Statistics
    ) -> RequestTable.Outcome {
        let denied = entry.isDenied
        var outcome = previous ?? RequestTable.Outcome()
        outcome.stages |= stageBit
        let rank = entry.stage.rank
        if let previous {
            // The apiserver writes RequestReceived before impersonation runs, so a request
            // first counted under the impersonator now learns whom it acted as.
            if previous.rank == Stage.requestReceived.rank, rank > previous.rank, entry.impersonatedUser != 0,
                previous.stages & RequestTable.Outcome.countedAsImpersonated == 0
            {
                reattribute(entry, into: &stats)
                outcome.stages |= RequestTable.Outcome.countedAsImpersonated
            }
            if rank > previous.rank {
                outcome.rank = rank
                outcome.code = entry.code
                outcome.denied = denied
                if previous.code != entry.code || previous.denied != denied {
                    changeOutcome(entry, from: previous, received: entry.received, message: message(), into: &stats)
                }
            }
        } else {
            outcome.rank = rank
            outcome.code = entry.code
            outcome.denied = denied
            countRequest(entry, message: message(), verbClass: verbClass(entry.verb), into: &stats)
            if entry.impersonatedUser != 0 { outcome.stages |= RequestTable.Outcome.countedAsImpersonated }
        }
        if rank == 3, entry.flags & RingEntry.longRunningFlag == 0, entry.received != 0, entry.stageTime != 0,
            previous == nil || previous!.rank < 3
        {
            if stats.latency.count < Statistics.latencyVerbLimit || stats.latency[entry.verb] != nil {
                stats.latency[entry.verb, default: LatencyHistogram()].record(entry.stageTime - entry.received)
            }
        }
        return outcome
    }

    /// Moves a request counted under its impersonator to the identity it acted as: the top
    /// users' count, and the impersonator's unknown-user record if this request made it.
    func reattribute(_ entry: RingEntry, into stats: inout Statistics) {
        stats.users.add(entry.user, -1)
        stats.users.add(entry.actor)
        stats.unknown.retract(UnknownUsers.key(entry.user), at: entry.received)
        let actor = entry.actor
        let time = entry.received
        if stats.unknown.isUnknown(actor, at: time, impersonated: true, name: { strings.string(actor) }, groups: { [] }) {
            stats.unknown.observe(
                unknownKey(entry), at: time, verb: entry.verb, resource: resourceKey(entry), sourceIP: entry.sourceIP,
                agent: entry.userAgent, denied: false, anonymous: false, impersonator: entry.user)
        }
    }

    /// A later stage changed a request's code or denial: move its counts.
    func changeOutcome(
        _ entry: RingEntry, from old: RequestTable.Outcome, received: Int64, message: @autoclosure () -> String,
        into stats: inout Statistics
    ) {
        let denied = entry.isDenied
        if received != 0 {
            let from = CodeClass(code: Int(old.code))
            let to = CodeClass(code: Int(entry.code))
            stats.perSecond.changeOutcome(at: received, from: from, old.denied, to: to, denied)
            stats.perMinute.changeOutcome(at: received, from: from, old.denied, to: to, denied)
        }
        stats.codes.add(UInt32(Int(old.code) + 1), -1)
        stats.codes.add(UInt32(Int(entry.code) + 1))
        guard old.denied != denied else { return }
        let resource = resourceKey(entry)
        if denied { addDenied(entry, resource: resource, message: message(), into: &stats) } else {
            stats.denied.remove(DeniedRequests.Key(user: entry.actor, verb: entry.verb, resource: resource))
        }
        if entry.actor == anonymousIDValue { stats.anonymousDenied += denied ? 1 : -1 }
        let key = unknownKey(entry)
        // A probe that looked allowed at RequestReceived and was then refused is no probe.
        if denied, entry.actor == anonymousIDValue, stats.unknown.records[key] == nil {
            stats.unknown.observe(
                key, at: entry.received, verb: entry.verb, resource: resource, sourceIP: entry.sourceIP, agent: entry.userAgent,
                denied: true, anonymous: true, impersonator: 0)
            return
        }
        stats.unknown.changeDenied(key, by: denied ? 1 : -1)
    }

    private func addDenied(_ entry: RingEntry, resource: UInt32, message: String, into stats: inout Statistics) {
        let key = DeniedRequests.Key(user: entry.actor, verb: entry.verb, resource: resource)
        stats.denied.add(key, at: entry.received, record: deniedRecord(entry, resource: resource, message: message))
    }

    /// The denial as the Denied pane lists it. Its reason is the response message (it names
    /// what was refused), else the authorizer's reason when it refused, else the status reason.
    private func deniedRecord(_ entry: RingEntry, resource: UInt32, message: String) -> DeniedRequest {
        let s = strings
        var reason = message
        if reason.isEmpty && entry.decision == .forbid { reason = s.string(entry.decisionReason) }
        if reason.isEmpty { reason = s.string(entry.statusReason) }
        return DeniedRequest(
            time: entry.received == 0 ? "" : Timestamp.format(entry.received),
            user: actorName(entry), verb: s.string(entry.verb), resource: s.string(resource),
            namespace: s.string(entry.namespace), name: s.string(entry.name), code: Int(entry.code),
            reason: reason,
            sourceIP: s.string(entry.sourceIP),
            auditID: AuditID(high: entry.auditIDHigh, low: entry.auditIDLow).uuidString)
    }
}

/// `EventStore.resourceKey`'s memory: 256 slots of the ids a key was built from and the key,
/// valid for one interner epoch (a reclaim may hand the ids out again).
struct ResourceKeyMemo {
    var epoch: Int
    /// An empty slot has resource 0, which a resource request never has.
    var slots = [(group: UInt32, resource: UInt32, subresource: UInt32, key: UInt32)](repeating: (0, 0, 0, 0), count: 256)
}
