import AuditCore
import AuditDashboard
import AuditSources
import AuditTestSupport
import Foundation
import Testing

/// Every wrapper of the same events reports the same numbers as the plain events, and a bad
/// item inside a wrapper costs only itself.
@Suite struct WrappedFormatsTests {
    typealias F = WrapperFixtures

    static let plain: Report = try! F.report(F.joined(F.lines), "plain.jsonl")

    /// Each wrapper, by name, damaged (one broken event inside) or not.
    static func wrapped(_ name: String, damaged: Bool) throws -> [UInt8] {
        switch name {
        case "cri": F.cri(damaged: damaged)
        case "kubectl-timestamps": F.kubectlTimestamps(damaged: damaged)
        case "syslog": F.syslog(damaged: damaged)
        case "journald": F.journald(damaged: damaged)
        case "aws-logs-tail": F.awsTail(stream: true, damaged: damaged)
        case "aws-logs-tail-short": F.awsTail(stream: false, damaged: damaged)
        case "s3-export.gz": try F.gzip(F.awsTail(stream: false, damaged: damaged))
        case "filter-log-events.json": try F.filterLogEvents(damaged: damaged)
        case "get-log-events.json": try F.getLogEvents(damaged: damaged)
        case "firehose.gz": try F.firehose(damaged: damaged)
        case "kinesis-lambda.jsonl": try F.kinesisEvents(damaged: damaged)
        case "kinesis-base64.txt": try F.base64Lines(damaged: damaged)
        case "azure.json": try F.azure(damaged: damaged)
        default: fatalError(name)
        }
    }

    static let names = [
        "cri", "kubectl-timestamps", "syslog", "journald", "aws-logs-tail", "aws-logs-tail-short", "s3-export.gz",
        "filter-log-events.json", "get-log-events.json", "firehose.gz", "kinesis-lambda.jsonl", "kinesis-base64.txt",
        "azure.json",
    ]

    @Test func thePlainEventsAreAWholeClusterWithAnIncident() {
        #expect(Self.plain.events == F.lines.count)
        #expect(Self.plain.malformed.total == 0)
        #expect(Self.plain.alerts.count >= 3, "\(Self.plain.alerts.map(\.rule))")
        #expect(Self.plain.denied.total > 0)
    }

    @Test(arguments: names)
    func eachWrapperReportsWhatThePlainEventsReport(_ name: String) throws {
        let report = try F.report(try Self.wrapped(name, damaged: false), name)
        #expect(report.malformed.total == 0, "\(name): \(report.malformed.byKind.filter { $0.value > 0 })")
        #expect(report.events == Self.plain.events, "\(name)")
        #expect(report == Self.plain, "\(name): \(F.differences(report, Self.plain))")
    }

    @Test(arguments: names)
    func aBrokenItemInsideAWrapperIsCountedAndItsNeighboursKept(_ name: String) throws {
        let report = try F.report(try Self.wrapped(name, damaged: true), name)
        #expect(report.malformed.total == 1, "\(name): \(report.malformed.byKind.filter { $0.value > 0 })")
        var same = report
        same.malformed = Self.plain.malformed
        #expect(same == Self.plain, "\(name): \(F.differences(same, Self.plain))")
    }

    /// The Events inside Azure records, taken out with Foundation's parser.
    static func azureEvents(_ data: Data) throws -> [[UInt8]] {
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF}"))
        let top = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let object = top as? [String: Any] ?? [:]
        // One sample is a bare Event, the plain form itself.
        if object["properties"] == nil && object["records"] == nil { return [Array(try JSONSerialization.data(withJSONObject: object))] }
        let records = object["records"] as? [[String: Any]] ?? [object]
        return try records.compactMap { record in
            switch (record["properties"] as? [String: Any])?["log"] {
            case let log as String: Array(log.utf8)
            case let log as [String: Any]: Array(try JSONSerialization.data(withJSONObject: log))
            default: nil
            }
        }
    }

    @Test(.needsCorpus) func theRealAKSRecordsReportWhatTheirEventsReport() throws {
        let folder = CorpusLocation.root.appendingPathComponent("sysdiglabs__aks-audit-log/samples")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 3)
        for file in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            let events = try Self.azureEvents(data)
            let wrapped = try F.report(Array(data), file), plain = try F.report(F.joined(events), "plain-" + file)
            #expect(wrapped.events + wrapped.duplicates == events.count && !events.isEmpty, "\(file)")
            #expect(wrapped == plain, "\(file): \(F.differences(wrapped, plain))")
        }
    }

    @Test func aCRILogReadsTheSameOnTwoCores() throws {
        let path = try F.file(F.cri(damaged: false), "cri.log")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = StoreConfiguration()
        configuration.rawBudget = 0
        let store = EventStore(configuration: configuration)
        var reader = ParallelLogReader()
        reader.chunkSize = 1 << 16
        try reader.read(path, into: store)
        var report = Report(store: store, limit: 20)
        report.sources = []
        report.top.sources = []
        #expect(report == Self.plain, "\(F.differences(report, Self.plain))")
    }

    @Test func aCRILineLongerThanTheLimitIsCountedAndTheNextKept() {
        let first = Array(F.lines[0]), second = Array(F.lines[1])
        var bytes: [UInt8] = []
        for k in 0..<40 { bytes += Array("2026-12-03T14:00:00.000000000Z stdout \(k < 39 ? "P" : "F") ".utf8) + first + [0x0A] }
        bytes += Array("2026-12-03T14:00:01.000000000Z stdout F ".utf8) + second + [0x0A]
        let sink = CollectingSink()
        var framer = StreamDecoder(maxLine: first.count * 10)
        bytes.withUnsafeBufferPointer { framer.feed($0, to: sink) }
        framer.finish(to: sink)
        #expect(framer.prefix == .cri)
        #expect(sink.malformed == [.oversized])
        #expect(sink.documents.map { Array($0) } == [second])
    }

    @Test func theLegacyTextFormatIsNotMistakenForAPrefix() {
        let legacy = #"2017-02-15T10:48:30.120929683+01:00 AUDIT: id="7a816f5c" stage="ResponseComplete" ip="10.0.0.1" method="get" user="admin" groups="\"system:masters\"" as="<self>" asgroups="<lookup>" user-agent="kubectl" namespace="default" uri="/api/v1/pods" response="200""#
        let sink = CollectingSink()
        var framer = StreamDecoder()
        Array((legacy + "\n").utf8).withUnsafeBufferPointer { framer.feed($0, to: sink) }
        #expect(framer.prefix == .none)
        #expect(sink.documents.map { String(decoding: $0, as: UTF8.self) } == [legacy])
    }
}

/// Collects what a `StreamDecoder` frames.
final class CollectingSink: DocumentSink {
    var documents: [[UInt8]] = []
    var malformed: [MalformedKind] = []

    func document(_ bytes: UnsafeBufferPointer<UInt8>) { documents.append(Array(bytes)) }
    func malformed(_ kind: MalformedKind) { malformed.append(kind) }
}
