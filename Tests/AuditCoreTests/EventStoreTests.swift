@testable import AuditCore
import Testing

@Suite struct EventStoreTests {
    @Test func theSameAuditIDAndStageTwiceIsADuplicate() {
        let e = Fixture.event(id: Fixture.id(7))
        let store = Fixture.store([e, e, e].joined(separator: "\n"))
        #expect(store.counters.ingested == 1)
        #expect(store.counters.duplicates == 2)
        #expect(store.counters.requests == 1)
        #expect(store.requests(of: "alice@example.com") == 1)
    }

    @Test func aWatchSeenStartedThenCompletedCountsOnceWithItsFinalOutcome() {
        let started = Fixture.event(id: Fixture.id(1), stage: "ResponseStarted", verb: "create", code: 101, subresource: "exec")
        let complete = Fixture.event(
            id: Fixture.id(1), stage: "ResponseComplete", verb: "create", code: 500,
            stageTime: "2026-03-14T09:05:00.000000Z", subresource: "exec")
        let store = Fixture.store(started + "\n" + complete)
        #expect(store.counters.ingested == 2)
        #expect(store.counters.requests == 1)
        #expect(store.stats.users.count(store.strings.lookup("alice@example.com")!) == 1)
        #expect(store.stats.codes.count(101 + 1) == 0)
        #expect(store.stats.codes.count(500 + 1) == 1)
        let bucket = store.stats.perMinute.series(last: 1)[0]
        #expect(bucket.total == 1 && bucket.count(.serverError) == 1 && bucket.count(.informational) == 0)
        // exec is long-running: no latency sample.
        #expect(store.stats.latency.isEmpty)
    }

    @Test func aLaterStageThatIsDeniedMovesTheRequestIntoDenied() {
        let received = Fixture.event(id: Fixture.id(3), stage: "RequestReceived", code: nil, decision: nil)
        let complete = Fixture.event(id: Fixture.id(3), code: 403, decision: "forbid")
        let store = Fixture.store(received + "\n" + complete + "\n" + received)
        #expect(store.counters.duplicates == 1)
        #expect(store.stats.denied.total == 1)
        #expect(store.stats.denied.latest.first?.code == 403)
        #expect(store.stats.codes.count(0) == 0)
    }

    @Test func anEarlierStageArrivingLateDoesNotUndoTheFinalOutcome() {
        let complete = Fixture.event(id: Fixture.id(4), code: 403, decision: "forbid")
        let received = Fixture.event(id: Fixture.id(4), stage: "RequestReceived", code: nil, decision: nil)
        let store = Fixture.store(complete + "\n" + received)
        #expect(store.counters.ingested == 2 && store.counters.requests == 1)
        #expect(store.stats.denied.total == 1)
        #expect(store.stats.codes.count(404) == 1)
    }

    @Test func theRingKeepsTheNewestEventsAndCountsEvictions() {
        let lines = (0..<25).map { Fixture.event(id: Fixture.id($0), name: "pod-\($0)") }.joined(separator: "\n")
        let store = Fixture.store(lines) { $0.capacity = 10 }
        #expect(store.ring.count == 10)
        #expect(store.counters.evicted == 15)
        #expect(store.counters.ingested == 25)
        #expect(store.entries().map { store.strings.string($0.name) } == (15..<25).map { "pod-\($0)" })
        // Statistics cover everything ingested, not just what the ring holds.
        #expect(store.requests(of: "alice@example.com") == 25)
    }

    @Test func theRawBudgetDropsTheOldestBodiesFirst() {
        let events = (0..<20).map { Fixture.event(id: Fixture.id($0), name: "pod-\($0)") }
        let size = events[0].utf8.count
        let store = Fixture.store(events.joined(separator: "\n")) { $0.rawBudget = size * 5 + 10 }
        let seqs = Array(store.ring.firstSequence..<store.ring.nextSequence)
        let kept = seqs.filter { store.rawJSON(sequence: $0) != nil }
        // The newest, compressed: at least the five the budget holds uncompressed.
        #expect(kept.count >= 5 && kept.count < 20)
        #expect(kept == Array((20 - kept.count)..<20))
        #expect(store.counters.rawDropped == 20 - kept.count)
        for s in kept { #expect(String(decoding: store.rawJSON(sequence: s)!, as: UTF8.self) == events[s]) }
        // The decoded fields stay after the raw body is gone.
        #expect(store.strings.string(store.ring[sequence: 0]!.name) == "pod-0")
    }

    @Test func aRingEntryStaysCompact() {
        #expect(MemoryLayout<RingEntry>.stride <= 150)
    }

    @Test func sharedStoreSnapshotsStayConsistentWhileAWriterIngests() async {
        let shared = SharedEventStore()
        let lines = (0..<20_000).map { Fixture.event(id: Fixture.id($0)) + "\n" }
        let writer = Task.detached {
            var framer = StreamDecoder()
            for batch in stride(from: 0, to: lines.count, by: 500) {
                var chunk = lines[batch..<min(batch + 500, lines.count)].joined()
                chunk.withUTF8 { shared.feed($0, framer: &framer) }
            }
            shared.finish(framer: &framer)
        }
        var snapshots = 0
        while snapshots < 50 {
            let (ingested, users) = shared.withStore { ($0.counters.ingested, $0.requests(of: "alice@example.com")) }
            #expect(ingested == users)
            snapshots += 1
            await Task.yield()
        }
        await writer.value
        #expect(shared.withStore { $0.counters.ingested } == 20_000)
    }

    /// A ring entry with request id `k` and every other field empty.
    static func ringEntry(_ k: Int) -> RingEntry {
        RingEntry(auditIDHigh: UInt64(k), auditIDLow: 0, received: 0, stageTime: 0, rawOffset: 0, rawLength: 0, verb: 0, user: 0,
                  groups: 0, impersonatedUser: 0, sourceIP: 0, userAgent: 0, apiGroup: 0, apiVersion: 0, resource: 0,
                  subresource: 0, namespace: 0, name: 0, path: 0, statusReason: 0, decisionReason: 0, source: 0, code: 0,
                  stage: .responseComplete, level: .metadata, decision: .allow, flags: 0)
    }

    /// `walk` visits what `ring[sequence:]` holds, in order both ways, before the ring
    /// fills, when exactly full, and after it has wrapped at every offset; and stops when told.
    @Test func aWalkOfTheRingVisitsWhatTheSubscriptHolds() {
        for appended in [0, 1, 6, 7, 8, 13, 14, 15, 30] {
            var ring = EventRing(capacity: 7)
            for k in 0..<appended {
                var e = Self.ringEntry(k)
                e.user = UInt32(k)
                ring.append(e)
            }
            let expected = (ring.firstSequence..<ring.nextSequence).map { ($0, ring[sequence: $0]!.user) }
            #expect(expected.count == min(appended, 7))
            var forward: [(Int, UInt32)] = []
            ring.walk { forward.append(($0, $1.pointee.user)); return true }
            #expect(forward.map(\.0) == expected.map(\.0) && forward.map(\.1) == expected.map(\.1), "\(appended) appended")
            #expect(forward.allSatisfy { Int($0.1) == $0.0 })
            var backward: [Int] = []
            ring.walk(newestFirst: true) { q, _ in backward.append(q); return true }
            #expect(backward == expected.map(\.0).reversed())
            var firstTwo: [Int] = []
            ring.walk(newestFirst: true) { q, _ in firstTwo.append(q); return firstTwo.count < 2 }
            #expect(firstTwo == Array(expected.map(\.0).reversed().prefix(2)))
        }
    }

    /// Each chain of the ring (one actor's events, the denied ones, the impersonated ones)
    /// gives exactly the held events that belong to it, newest first, before the ring fills
    /// and after it has wrapped at every offset; and stops when told.
    @Test func aChainOfTheRingGivesItsHeldEventsNewestFirst() {
        for appended in [0, 1, 6, 7, 8, 13, 14, 15, 30, 31] {
            var ring = EventRing(capacity: 7)
            for k in 0..<appended {
                var e = Self.ringEntry(k)
                // Actors come and go: user 1 throughout, 2 only early, 3 only late, some
                // requests made as user 9, some denied.
                e.user = k % 3 == 0 ? 1 : (k < 10 ? 2 : 3)
                if k % 4 == 2 { e.impersonatedUser = 9 }
                if k % 5 == 1 { e.flags = RingEntry.deniedFlag }
                ring.append(e)
            }
            let held = (ring.firstSequence..<ring.nextSequence).reversed().map { ($0, ring[sequence: $0]!) }
            func walked(_ chain: EventRing.Chain, stopAfter: Int = .max) -> [Int] {
                var out: [Int] = []
                ring.walk(chain) { q, p in
                    #expect(p.pointee.auditIDHigh == UInt64(q))
                    out.append(q)
                    return out.count < stopAfter
                }
                return out
            }
            for actor: UInt32 in [0, 1, 2, 3, 9, 40] {
                let want = held.filter { $0.1.actor == actor }.map(\.0)
                #expect(walked(.actor(actor)) == want, "actor \(actor), \(appended) appended")
                #expect(walked(.actor(actor), stopAfter: 2) == Array(want.prefix(2)))
            }
            for actor: UInt32 in [1, 2, 3, 9] {
                let want = held.filter { $0.1.isDenied && $0.1.actor == actor }.map(\.0)
                #expect(walked(.denied(actor)) == want, "denied of \(actor), \(appended) appended")
                // From any of them on, the rest.
                for (k, q) in want.enumerated() {
                    var rest: [Int] = []
                    ring.walk(.denied(actor), from: q) { rest.append($0); _ = $1; return true }
                    #expect(rest == Array(want[k...]))
                }
            }
            let denied = held.filter { $0.1.isDenied }
            #expect(ring.deniedActors().map(\.actor) == denied.reduce(into: [UInt32]()) { if !$0.contains($1.1.actor) { $0.append($1.1.actor) } })
            #expect(walked(.impersonated) == held.filter { $0.1.impersonatedUser != 0 }.map(\.0), "\(appended) appended")
        }
    }

    /// A chunk larger than one hold of the lock goes in pieces cut at newlines: what is
    /// ingested is what one piece would give, with events longer than a piece, a chunk
    /// ending inside an event, and no newline at all.
    @Test func aChunkFedInPiecesGivesTheSameStore() {
        let piece = SharedEventStore.feedPiece
        let big = String(repeating: "x", count: piece + 1_000)
        var lines: [String] = []
        for k in 0..<400 {
            var line = Fixture.event(id: Fixture.id(k), user: "user-\(k % 37)")
            // Every 50th event carries a body longer than a piece.
            if k % 50 == 7 { line = String(line.dropLast()) + #","requestObject":{"data":""# + big + #""}}"# }
            lines.append(line)
        }
        let text = lines.joined(separator: "\n") + "\n" + String(lines[0].prefix(100))
        #expect(text.utf8.count > 8 * piece)
        let whole = Fixture.store(text)
        let shared = SharedEventStore()
        var framer = StreamDecoder()
        var copy = text
        copy.withUTF8 { shared.feed($0, framer: &framer) }
        shared.finish(framer: &framer)
        shared.withStore { s in
            #expect(s.counters.ingested == whole.counters.ingested)
            #expect(s.counters.ingested == 400)
            #expect(s.counters.malformed.total == whole.counters.malformed.total)
            #expect(s.counters.malformed.total == 1)
            #expect(s.ring.count == whole.ring.count)
            for q in s.ring.firstSequence..<s.ring.nextSequence {
                #expect(s.rawJSON(sequence: q) == whole.rawJSON(sequence: q))
            }
        }
        // One line longer than a piece with no newline in it, then more.
        let noNewline = Array(repeating: UInt8(ascii: "x"), count: 3 * piece) + [0x0A] + Array(repeating: UInt8(ascii: "y"), count: 10)
        noNewline.withUnsafeBufferPointer { b in
            #expect(SharedEventStore.pieceEnd(b.baseAddress!, from: 0, count: b.count) == 3 * piece + 1)
            #expect(SharedEventStore.pieceEnd(b.baseAddress!, from: 3 * piece + 1, count: b.count) == b.count)
        }
    }
}
