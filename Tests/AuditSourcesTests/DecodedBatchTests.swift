import AuditCore
import AuditDashboard
@testable import AuditSources
import Foundation
import Testing

/// A webhook body decoded on one thread into a batch and counted on another gives the store
/// what decoding it straight into the store gives, size rule and damage included, for an
/// `EventList` and for an Azure records document (whose events the store decodes itself).
@Suite struct DecodedBatchTests {
    typealias F = WrapperFixtures

    /// Memory a batch keeps alive, freed when the batch lets it go.
    final class Owner {
        let bytes: UnsafeMutableRawBufferPointer
        init(_ content: [UInt8]) {
            bytes = .allocate(byteCount: max(content.count, 1), alignment: 1)
            bytes.copyBytes(from: content)
        }
        deinit { bytes.deallocate() }
    }

    /// 400 events, the 100th padded past 2,048 bytes, and a broken item after the 200th
    /// (`broken`: for an `EventList`, a string where an event belongs, since broken JSON
    /// inside an array ends the array).
    static func items(broken: [UInt8]) -> [[UInt8]] {
        var items = Array(F.lines.prefix(400))
        var long = String(decoding: items[100], as: UTF8.self)
        long.removeLast()
        items[100] = Array((long + #","padding":"\#(String(repeating: "x", count: 3000))"}"#).utf8)
        items.insert(broken, at: 201)
        return items
    }

    /// The events over 2,048 bytes (the simulator's bodies make a few besides the padded one).
    static let over2K = items(broken: []).filter { $0.count > 2048 }.count

    static var eventList: [UInt8] {
        Array(#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":["#.utf8) + Array(items(broken: Array(#""not an event""#.utf8)).joined(separator: [UInt8(ascii: ",")])) + Array("]}".utf8)
    }

    static func azureRecords() throws -> [UInt8] {
        let records = items(broken: F.broken).map { line -> [String: Any] in
            ["category": "kube-audit", "properties": ["log": String(decoding: line, as: UTF8.self), "stream": "stdout"]]
        }
        return Array(try JSONSerialization.data(withJSONObject: ["records": records]))
    }

    static func store() -> EventStore {
        var configuration = StoreConfiguration()
        configuration.rawBudget = 0
        return EventStore(configuration: configuration)
    }

    static func expectSame(_ body: [UInt8], maxEvent: Int, _ what: String) -> Report {
        let direct = store()
        body.withUnsafeBufferPointer { EventDecoder(maxDepth: direct.maxDepth).decode($0, into: EventSizeRule(direct, limit: maxEvent)) }
        let batched = store()
        var owner: Owner? = Owner(body)
        weak let watched = owner
        let batch = DecodedBatch.decoding(UnsafeRawBufferPointer(owner!.bytes), owner: owner!, maxDepth: batched.maxDepth, maxEvent: maxEvent)
        owner = nil
        #expect(watched != nil, "\(what): the batch keeps the body's memory")
        batch.ingest(into: batched)
        batch.release()
        #expect(watched == nil, "\(what): released, the body's memory goes")
        let report = Report(store: batched)
        #expect(report == Report(store: direct), "\(what)")
        return report
    }

    @Test func anEventListCountsWhatItsItemsHold() {
        #expect(Self.over2K >= 1)
        let limited = Self.expectSame(Self.eventList, maxEvent: 2048, "EventList, 2 KiB limit")
        #expect(limited.events == 400 - Self.over2K)
        #expect(limited.malformed.byKind[MalformedKind.oversized.description] == Self.over2K)
        #expect(limited.malformed.total == Self.over2K + 1)
        let open = Self.expectSame(Self.eventList, maxEvent: .max, "EventList, no limit")
        #expect(open.events == 400)
        #expect(open.malformed.total == 1)
    }

    @Test func anAzureRecordsDocumentIsDecodedByTheStoreUnderTheSameRule() throws {
        let body = try Self.azureRecords()
        let limited = Self.expectSame(body, maxEvent: 2048, "Azure records, 2 KiB limit")
        #expect(limited.events == 400 - Self.over2K)
        #expect(limited.malformed.byKind[MalformedKind.oversized.description] == Self.over2K)
        let open = Self.expectSame(body, maxEvent: .max, "Azure records, no limit")
        #expect(open.events == 400)
        #expect(open.malformed.total == 1)
    }
}
