import AuditCore
import Yams

/// Audit events written as YAML (as `kubectl` or a ticket shows them), turned into JSON for
/// the decoder. Plain scalars keep their YAML type (numbers, booleans, null); timestamps and
/// every quoted scalar stay strings.
public enum YAMLEvents {
    /// True when the first meaningful line of `head` is a YAML mapping key or document
    /// marker, not JSON or the legacy text format.
    public static func looksLikeYAML(_ head: ArraySlice<UInt8>) -> Bool {
        let text = String(decoding: head.prefix(4096), as: UTF8.self)
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.drop { $0 == " " || $0 == "\t" || $0 == "\u{FEFF}" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("{") || line.hasPrefix("[") || line.contains(" AUDIT: ") { return false }
            if line.hasPrefix("---") { return true }
            guard let colon = line.firstIndex(of: ":") else { return false }
            let key = line[..<colon]
            // `key: value` or `key:` alone; a timestamp opening a prefixed line (`2026-12-03T14:00`) is not a key.
            let after = line[line.index(after: colon)...]
            guard after.isEmpty || after.first == " " || after.first == "\t" || after.first == "\r" else { return false }
            return !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
        }
        return false
    }

    /// Parses every YAML document in `bytes` and ingests each as JSON; a document that does
    /// not parse is counted as malformed (`invalidJSON`: not a format audittop reads).
    public static func ingest(_ bytes: [UInt8], into store: some LogSink) {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            for node in try Yams.compose_all(yaml: text) {
                var json: [UInt8] = []
                append(node, to: &json)
                json.withUnsafeBufferPointer { store.document($0) }
            }
        } catch {
            store.malformed(.invalidJSON)
        }
    }

    /// Cuts a YAML stream at its `---` lines, so each document (one `gcloud logging read`
    /// entry, one event) is parsed on its own and memory is bounded by the longest document,
    /// not by the file.
    public struct Splitter {
        public let maxLine: Int
        private var pending: [UInt8] = []
        private var scanned = 0
        private var discarding = false

        public init(maxLine: Int) { self.maxLine = maxLine }

        public mutating func feed(_ chunk: ArraySlice<UInt8>, to store: some LogSink) {
            pending.append(contentsOf: chunk)
            var start = 0
            while let cut = nextSeparator(from: start) {
                deliver(Array(pending[start..<cut]), to: store)
                start = cut
            }
            pending.removeFirst(start)
            scanned -= start
            if pending.count > maxLine {
                if !discarding { store.malformed(.oversized) }
                discarding = true
                pending.removeFirst(pending.count - 4)
                scanned = 0
            }
        }

        public mutating func finish(to store: some LogSink) {
            deliver(pending, to: store)
            pending = []
        }

        private mutating func deliver(_ document: [UInt8], to store: some LogSink) {
            if discarding {
                discarding = false
                return
            }
            YAMLEvents.ingest(document, into: store)
        }

        /// Where the next document starts: a line `---` (alone or before a value), after the
        /// first byte.
        private mutating func nextSeparator(from start: Int) -> Int? {
            var k = max(scanned, start + 1)
            while k + 3 <= pending.count {
                if pending[k - 1] == 0x0A && pending[k] == 0x2D && pending[k + 1] == 0x2D && pending[k + 2] == 0x2D {
                    guard k + 3 < pending.count else { break }
                    let after = pending[k + 3]
                    if after == 0x0A || after == 0x20 || after == 0x0D {
                        scanned = k + 1
                        return k
                    }
                }
                k += 1
            }
            scanned = max(start + 1, k - 1)
            return nil
        }
    }

    /// Appends `node` as JSON.
    static func append(_ node: Node, to out: inout [UInt8]) {
        switch node {
        case .mapping(let mapping):
            out.append(UInt8(ascii: "{"))
            for (k, (key, value)) in mapping.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendQuoted(key.string ?? "", to: &out)
                out.append(UInt8(ascii: ":"))
                append(value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .sequence(let sequence):
            out.append(UInt8(ascii: "["))
            for (k, value) in sequence.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                append(value, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .scalar(let scalar):
            let s = scalar.string
            if scalar.style == .plain {
                if s == "null" || s == "~" || s.isEmpty { out.append(contentsOf: Array("null".utf8)); return }
                if s == "true" || s == "false" { out.append(contentsOf: Array(s.utf8)); return }
                if Int(s) != nil || (Double(s) != nil && s.allSatisfy({ "0123456789.-+eE".contains($0) })) {
                    out.append(contentsOf: Array(s.utf8))
                    return
                }
            }
            JSONText.appendQuoted(s, to: &out)
        case .alias:
            out.append(contentsOf: Array("null".utf8))
        }
    }
}
