import AuditTestSupport
import AuditCore
import AuditSources
import Foundation

/// The shared corpus of real audit events beside the repository (`../shared/corpus`), or
/// where `AUDITTOP_CORPUS` points.
enum Corpus {
    static var root: URL { CorpusLocation.root }

    /// One file as the corpus README describes it.
    struct Entry: CustomStringConvertible, Sendable {
        var path: String
        var events: Int
        var format: String
        var description: String { path }
    }

    /// Every file listed in the README's tables, with its event count.
    static func entries() throws -> [Entry] {
        guard CorpusLocation.isPresent else { return [] }
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        var folder = ""
        var out: [Entry] = []
        for line in readme.split(separator: "\n") {
            if line.hasPrefix("## "), line.contains("/") {
                folder = line.dropFirst(3).replacingOccurrences(of: "/", with: "__")
                continue
            }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 8, !folder.isEmpty, let events = Int(cells[5]) else { continue }
            out.append(Entry(path: folder + "/" + cells[1], events: events, format: cells[6]))
        }
        return out
    }

    static func read(_ relative: String, configure: (inout StoreConfiguration) -> Void = { _ in }) throws -> EventStore {
        var c = StoreConfiguration()
        configure(&c)
        let store = EventStore(configuration: c)
        try LogReader().read(root.appendingPathComponent(relative).path, into: store)
        return store
    }

    /// The corpus's JSON-lines file parsed with Foundation, one dictionary per line.
    static func realEvents() throws -> [[String: Any]] {
        let data = try Data(contentsOf: root.appendingPathComponent("real-events.jsonl"))
        return try data.split(separator: 0x0A).map { try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any] }
    }
}
