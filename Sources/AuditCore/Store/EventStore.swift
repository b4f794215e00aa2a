#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The engine's state: the ring of recent events, their raw JSON, the request table and the
/// statistics. One writer feeds it documents (as a `DocumentSink`) or decoded events.
///
/// Not thread-safe by itself: wrap it in `SharedEventStore` to read from another thread.
public final class EventStore: DocumentSink, EventSink {
    public let configuration: StoreConfiguration
    /// Interned strings; every id in a `RingEntry` or in `stats` refers to this table.
    public let strings = StringInterner()
    public private(set) var ring: EventRing
    public internal(set) var counters = StoreCounters()
    public internal(set) var stats = Statistics()
    /// The detection rules and what they fired; nil when every rule is off.
    public private(set) var rules: RuleEngine?
    /// The active filter's events and statistics; nil when no filter is set.
    public private(set) var view: FilterView?
    /// What the panes show: the filter's statistics when one is set, else everything's.
    public var visibleStats: Statistics { view?.stats ?? stats }
    /// Bumped on every change, so a reader can tell whether to redraw.
    public private(set) var generation: UInt64 = 0
    /// Names of the sources, indexed by `RingEntry.source`.
    public private(set) var sourceNames: [String] = [""]
    /// `verbClass`'s memory: per slot the verb id and its class, for the interner's epoch.
    private var verbClasses = (epoch: -1, ids: [UInt32](repeating: 0, count: 8), classes: [VerbClass](repeating: .other, count: 8))
    /// The source tagged onto events ingested now.
    public var currentSource: UInt16 = 0
    /// Called with the raw JSON of every event ingested (duplicates excluded), under the
    /// store's lock: the tee writes the accepted feed to disk from here.
    public var onIngest: ((UnsafeBufferPointer<UInt8>) -> Void)?

    var raw: RawStore
    var requests: RequestTable
    let decoder: EventDecoder
    /// The decoder's timestamp memo for this owner's documents.
    private let times = TimestampMemoCell()
    var scratch: [UInt8] = []
    /// Raw spellings of `groups` arrays seen, and the joined-groups id each stands for.
    var groupForms = StringInterner()
    var groupTargets: [UInt32] = []
    private var rawDropCursor = 0
    /// The auditID the decoder reported last, parsed, with where its text starts.
    private var hinted: (UnsafePointer<UInt8>, AuditID)?
    private var syntheticIDs: UInt64 = 0
    let anonymousIDValue: UInt32
    /// Per path id: whether it is an anonymous probe's (at most 4,096 paths).
    var probePaths: [UInt32: Bool] = [:]
    let watchIDValue: UInt32
    /// Interned strings in use at which the next reclaim runs (`reclaimStrings`).
    var reclaimAt: Int
    /// The `group/resource[/subresource]` keys built lately (`resourceKey`).
    var resourceKeys = ResourceKeyMemo(epoch: -1)

    public init(configuration: StoreConfiguration = StoreConfiguration()) {
        self.configuration = configuration
        ring = EventRing(capacity: configuration.capacity)
        raw = RawStore(budget: configuration.rawBudget)
        requests = RequestTable(window: configuration.requestWindow)
        decoder = EventDecoder(maxDepth: configuration.maxDepth)
        stats.denied = DeniedRequests(keep: configuration.deniedKeep)
        // Whoever a loaded baseline knows was learned before: known now.
        var known = configuration.knownUsers
        for name in configuration.baseline?.identities.keys ?? [:].keys { known.add(name: name) }
        stats.unknown = UnknownUsers(known: known, platform: configuration.platformIdentities, learn: configuration.learn)
        anonymousIDValue = strings.intern("system:anonymous")
        watchIDValue = strings.intern("watch")
        rules = configuration.rules.isEmpty ? nil : RuleEngine(configuration.rules, strings: strings, baseline: configuration.baseline)
        // The names the engine and the rules compare against stay for good.
        strings.pinAll()
        reclaimAt = configuration.stringReclaimFloor
    }

    /// The name the screen and the alerts give the entry's identity: `A→B` when `A`
    /// impersonated `B`, else the user.
    public func actorName(_ e: RingEntry) -> String { Self.actorName(e, strings) }

    static func actorName(_ e: RingEntry, _ strings: StringInterner) -> String {
        e.impersonatedUser == 0 ? strings.string(e.user) : strings.string(e.user) + "→" + strings.string(e.impersonatedUser)
    }

    /// An identity set off a rule of high or critical severity while learning: if learning alone made
    /// it known, it is unknown again (`UnknownUsers.suspect`).
    func suspect(_ user: UInt32, at time: Int64) {
        let name = strings.string(user)
        stats.unknown.suspect(user, name: name, at: time)
        view?.stats.unknown.suspect(user, name: name, at: time)
    }

    /// Names of the rules that fired on the request `id` (for `alert=` filters).
    public func alertRules(firedOn id: AuditID) -> [String] { rules?.rules(firedOn: id) ?? [] }

    /// Sets the filter every pane shows (`.all` clears it): its statistics are rebuilt from the
    /// ring now, then kept up to date as events arrive. `reference` is "now" for relative
    /// and clock times in the filter (default: the newest event time).
    public func setFilter(_ filter: Filter, reference: Int64? = nil) {
        if case .all = filter {
            view = nil
        } else {
            view = FilterView(FilterMatcher(filter, reference: reference ?? stats.lastTime ?? 0), store: self)
        }
        generation &+= 1
    }

    /// Adds `entry` (a name, a glob or `group:NAME`, as in the known-users file) to the known
    /// users: whoever it matches leaves the unknown-users lists, and is not announced again.
    public func addKnownUser(_ entry: String) {
        stats.unknown.known.add(entry)
        var probe = KnownUsers()
        probe.add(entry)
        for key in stats.unknown.order {
            guard let user = stats.unknown.records[key]?.user, user != 0, user != anonymousIDValue,
                probe.contains(user: strings.string(user))
            else { continue }
            stats.unknown.forget(user)
            view?.stats.unknown.forget(user)
        }
        view?.stats.unknown.known.add(entry)
        generation &+= 1
    }

    /// Statistics with nothing counted yet, configured like the store's.
    func emptyStatistics() -> Statistics {
        var s = Statistics()
        s.denied = DeniedRequests(keep: configuration.deniedKeep)
        s.unknown = UnknownUsers(known: stats.unknown.known, platform: stats.unknown.platform, learn: configuration.learn)
        return s
    }

    /// Registers a source name and returns its tag for `currentSource`.
    public func addSource(_ name: String) -> UInt16 {
        if let i = sourceNames.firstIndex(of: name) { return UInt16(i) }
        sourceNames.append(name)
        return UInt16(sourceNames.count - 1)
    }

    /// Decodes one document and ingests its events; bad parts are counted.
    public func document(_ bytes: UnsafeBufferPointer<UInt8>) {
        decoder.decode(bytes, into: self, times: times.pointer)
    }

    /// Ingests one decoded event (`EventSink`).
    public func event(_ event: inout DecodedEvent) { ingest(&event) }

    /// Starts fetching the request-table slot of an auditID the decoder just read.
    public func sawAuditID(_ base: UnsafePointer<UInt8>, _ span: Span) {
        guard span.count > 0 else { return }
        let id = AuditID(base + span.start, span.count)
        hinted = (base + span.start, id)
        requests.prefetch(id)
    }

    /// Counts input dropped before it could be decoded.
    public func malformed(_ kind: MalformedKind) {
        counters.malformed.add(kind)
        generation &+= 1
    }

    /// Convenience for tests and small inputs: decodes `text` as one stream.
    public func ingest(text: String) {
        var framer = StreamDecoder()
        var copy = text
        copy.withUTF8 { framer.feed($0, to: self) }
        framer.finish(to: self)
    }

    /// Bytes held by the ring, raw JSON, interned strings and request table.
    public var memoryBytes: Int { ring.memoryBytes + raw.memoryBytes + strings.memoryBytes + requests.memoryBytes }

    /// The ring's events whose raw JSON is still held, the uncompressed bytes of it, and
    /// the bytes that take (`--raw-budget`).
    public var rawHeld: (events: Int, bytes: Int, memory: Int) {
        (ring.nextSequence - max(rawDropCursor, ring.firstSequence), raw.heldBytes, raw.memoryBytes)
    }

    /// Bytes held by the request table (de-duplication and stage merging).
    public var requestTableBytes: Int { requests.memoryBytes }

    /// The raw JSON of the event with `sequence`, or nil when evicted or dropped by the budget.
    public func rawJSON(sequence: Int) -> [UInt8]? {
        guard let e = ring[sequence: sequence] else { return nil }
        return raw.read(e.rawOffset, Int(e.rawLength))
    }

    /// Ingests one decoded event: de-duplicates it, merges it into its request, updates the
    /// statistics and appends it to the ring.
    public func ingest(_ e: inout DecodedEvent) {
        ingest(&e, id: nil)
    }

    /// Starts fetching the request-table slot of `id` (a pipelined caller knows the next
    /// events' ids before it ingests them).
    public func prefetch(_ id: AuditID) { requests.prefetch(id) }

    /// `ingest(_:)` with the event's auditID already parsed (nil: parse it here).
    public func ingest(_ e: inout DecodedEvent, id parsed: AuditID?) {
        let base = e.base
        if configuration.since != nil || configuration.until != nil {
            let t = e.received ?? e.stageTime ?? 0
            if t < (configuration.since ?? Int64.min) || t >= (configuration.until ?? Int64.max) {
                counters.outsideTimeRange += 1
                generation &+= 1
                return
            }
        }
        let id: AuditID
        if let parsed {
            id = parsed
        } else if e.auditID.isEmpty {
            syntheticIDs += 1
            id = AuditID(high: syntheticIDs, low: 0xFFFF_FFFF_FFFF_FFFF)
        } else {
            let p = base + e.auditID.start
            id = hinted?.0 == p ? hinted!.1 : AuditID(p, e.auditID.count)
        }
        if strings.count >= reclaimAt || groupForms.count >= EventStore.groupFormLimit { reclaimStrings() }
        let stage = EventStore.stage(e, base)
        let stageBit: UInt8 = stage == .unknown ? 0x80 : 1 << stage.rawValue
        let (slot, known) = requests.find(id)
        let previous = known ? requests.outcome(at: slot) : nil
        if let previous, previous.stages & stageBit != 0 {
            counters.duplicates += 1
            generation &+= 1
            return
        }

        var entry = makeEntry(&e, id: id, stage: stage)
        if previous == nil { counters.requests += 1 }
        let outcome = account(entry, stageBit: stageBit, previous: previous, message: e.string(e.message), into: &stats)
        requests.store(id, outcome, at: slot, found: known)

        entry.rawOffset = raw.append(base + e.raw.start, e.raw.count)
        onIngest?(UnsafeBufferPointer(start: base + e.raw.start, count: e.raw.count))
        counters.ingested += 1
        if ring.append(entry) { counters.evicted += 1 }
        if let rules {
            // Only the identity rules read the token's node: interned for them alone.
            let node = e.tokenNode.isEmpty || !rules.identityRulesOn ? 0 : strings.intern(e.tokenNode, in: base, scratch: &scratch)
            // The request URI's place in the raw JSON: the rules that read it need no scan.
            let uri = e.requestURI.isEmpty ? Span.empty : Span(start: e.requestURI.start - e.raw.start, count: e.requestURI.count, escaped: e.requestURI.escaped)
            // And the request body's: absent, it is known absent without a scan.
            let body = e.requestObject.isEmpty ? Span.empty : Span(start: e.requestObject.start - e.raw.start, count: e.requestObject.count, escaped: false)
            rules.evaluate(entry, id: id, raw: UnsafeBufferPointer(start: base + e.raw.start, count: e.raw.count), uri: uri, body: body,
                           tokenNode: node, store: self)
        }
        if let view { view.add(entry, sequence: ring.nextSequence - 1, id: id, message: e.string(e.message), store: self) }
        advanceRawDropCursor()
        generation &+= 1
    }

    /// Puts a sealed raw-JSON block back compressed (`SharedEventStore.ingestHelped`); false
    /// when it was no longer the oldest waiting.
    func installRaw(_ packed: RawStore.Packed, start: UInt64) -> Bool {
        guard raw.install(packed, start: start) else { return false }
        advanceRawDropCursor()
        return true
    }

    private func advanceRawDropCursor() {
        if rawDropCursor < ring.firstSequence { rawDropCursor = ring.firstSequence }
        let oldest = raw.oldest
        while rawDropCursor < ring.nextSequence, let e = ring[sequence: rawDropCursor],
            e.rawOffset == RawStore.notStored || e.rawOffset < oldest
        {
            counters.rawDropped += 1
            rawDropCursor += 1
        }
    }

    /// The verb's class, remembered for the last verb id seen per slot (a log has few verbs).
    func verbClass(_ verb: UInt32) -> VerbClass {
        let slot = Int(verb & 7)
        if verbClasses.epoch == strings.epoch, verbClasses.ids[slot] == verb, verb != 0 { return verbClasses.classes[slot] }
        if verbClasses.epoch != strings.epoch { verbClasses = (strings.epoch, [UInt32](repeating: 0, count: 8), verbClasses.classes) }
        let found = classify(verb)
        verbClasses.ids[slot] = verb
        verbClasses.classes[slot] = found
        return found
    }

    private func classify(_ verb: UInt32) -> VerbClass {
        strings.withBytes(verb) { b in
            switch b.count {
            case 3 where b[0] == UInt8(ascii: "g"): return b[1] == UInt8(ascii: "e") && b[2] == UInt8(ascii: "t") ? .read : .other
            case 4 where b.elementsEqual("list".utf8), 4 where b.elementsEqual("head".utf8): return .read
            case 5 where b.elementsEqual("watch".utf8): return .read
            case 5 where b.elementsEqual("patch".utf8): return .write
            case 6 where b.elementsEqual("create".utf8), 6 where b.elementsEqual("update".utf8),
                6 where b.elementsEqual("delete".utf8), 16 where b.elementsEqual("deletecollection".utf8):
                return .write
            default: return .other
            }
        }
    }
}

/// Where the log readers deliver: the store, or anything else that takes decoded events (the
/// replay's loader keeps them without counting them).
public protocol LogSink: DocumentSink, EventSink {
    /// How deep a document may nest before it is malformed.
    var maxDepth: Int { get }
    /// Names a source; its number is tagged on what is ingested while it is `currentSource`.
    func addSource(_ name: String) -> UInt16
    var currentSource: UInt16 { get set }
    /// Events taken so far (duplicates too), for a reader's count of what it read.
    var accepted: Int { get }
    /// One decoded event, with its auditID when the caller already parsed it.
    func ingest(_ e: inout DecodedEvent, id: AuditID?)
    /// The caller will soon `ingest` the event with this auditID.
    func prefetch(_ id: AuditID)
}

extension EventStore: LogSink {
    public var maxDepth: Int { configuration.maxDepth }
    public var accepted: Int { counters.ingested + counters.duplicates }
}
