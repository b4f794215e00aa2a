#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `StreamDecoder` delivers what it frames: whole documents, and input it had to drop.
public protocol DocumentSink: AnyObject {
    /// One complete document: a line of JSON or legacy text, or a multi-line JSON value.
    func document(_ bytes: UnsafeBufferPointer<UInt8>)
    /// Input dropped before decoding (an over-long line or document).
    func malformed(_ kind: MalformedKind)
}

/// Cuts a byte stream (a file, stdin, a socket) into documents, chunk by chunk.
///
/// The first non-blank line decides the framing. Normally each line is one document
/// (JSON lines, the legacy text format, a compact Event or EventList). When that first line
/// is the opening of a multi-line value (`{`, `[`, or a line ending in `{ [ , :`), the
/// stream is read as whitespace-separated JSON values instead: pretty-printed events,
/// lists and Azure envelopes. A UTF-8 byte-order mark opening a line is dropped.
/// The first line also tells whether something precedes the event on each line (a CRI,
/// timestamp or syslog prefix: see `LinePrefix`); the event after it is read like a plain line.
///
/// Memory is bounded by `maxLine`: a longer line or document is skipped to its end and
/// counted as `oversized`; its neighbours are unaffected.
public struct StreamDecoder {
    /// The longest line or document accepted, in bytes.
    public let maxLine: Int

    private enum Framing { case undecided, lines, documents }
    private var framing = Framing.undecided
    private var pending: [UInt8] = []
    private var discarding = false
    // Value scanner for the documents framing.
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var skippingGarbage = false
    /// True inside a top-level array, whose elements are handed over one by one.
    private var inArray = false
    private var inScalar = false
    /// What precedes the event on each line, decided from the first line.
    public private(set) var prefix = LinePrefix.none
    // CRI pieces (`P`) waiting for the line's last piece, per stream; nil while a too-long
    // line is being skipped to its end.
    var stdoutPiece: [UInt8]? = []
    var stderrPiece: [UInt8]? = []

    /// Creates a decoder that accepts lines and documents up to `maxLine` bytes (4 MiB by default).
    public init(maxLine: Int = 4 << 20) {
        self.maxLine = maxLine
    }

    /// Feeds the next chunk; complete documents go to `sink` before it returns.
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, to sink: some DocumentSink) {
        guard var p = chunk.baseAddress, chunk.count > 0 else { return }
        var remaining = chunk.count
        while remaining > 0 {
            if framing == .documents {
                scanDocuments(UnsafeBufferPointer(start: p, count: remaining), to: sink)
                return
            }
            guard let found = memchr(p, 0x0A, remaining) else {
                if discarding { return }
                if pending.count + remaining > maxLine {
                    sink.malformed(.oversized)
                    pending.removeAll(keepingCapacity: false)
                    discarding = true
                } else {
                    pending.append(contentsOf: UnsafeBufferPointer(start: p, count: remaining))
                }
                return
            }
            let nl = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self))
            let length = nl - p
            if discarding {
                discarding = false
            } else if pending.isEmpty {
                line(UnsafeBufferPointer(start: p, count: length), to: sink)
            } else if pending.count + length > maxLine {
                sink.malformed(.oversized)
                pending.removeAll(keepingCapacity: false)
            } else {
                pending.append(contentsOf: UnsafeBufferPointer(start: p, count: length))
                let whole = pending
                pending.removeAll(keepingCapacity: true)
                whole.withUnsafeBufferPointer { line($0, to: sink) }
            }
            if framing == .documents {
                // The line just seen opened a multi-line value and is already in the scanner.
                scanDocuments(UnsafeBufferPointer(start: nl, count: 1), to: sink)
            }
            p = nl + 1
            remaining -= length + 1
        }
    }

    /// Ends the stream: a last line without a newline is decoded, and an unfinished
    /// multi-line document is handed over as it is (its complete events are kept; the
    /// decoder counts the cut).
    public mutating func finish(to sink: some DocumentSink) {
        if framing != .documents, !discarding, !pending.isEmpty {
            let whole = pending
            pending.removeAll()
            // The last line may open a multi-line value that never closes: it then becomes
            // the unfinished document below, instead of being lost.
            whole.withUnsafeBufferPointer { line($0, to: sink) }
        }
        if framing == .documents, depth > 0, !discarding {
            if inArray && depth == 1 {
                // An array cut between its elements: they are all in; the cut is counted.
                sink.malformed(.truncated)
            } else {
                let whole = pending
                whole.withUnsafeBufferPointer { sink.document($0) }
            }
        }
        // A line the runtime split and never finished: what there is of it is decoded.
        for stderr in [false, true] {
            let piece = (stderr ? stderrPiece : stdoutPiece) ?? []
            if !piece.isEmpty { piece.withUnsafeBufferPointer { Self.payload($0, stderr: stderr, to: sink) } }
        }
        stdoutPiece = []
        stderrPiece = []
        pending.removeAll()
        discarding = false
        depth = 0
        inArray = false
        inString = false
        escaped = false
    }

    /// True while part of a line or document is waiting for more bytes.
    public var hasPartialInput: Bool {
        !pending.isEmpty || depth > 0 || stdoutPiece?.isEmpty == false || stderrPiece?.isEmpty == false
    }

    private mutating func line(_ raw: UnsafeBufferPointer<UInt8>, to sink: some DocumentSink) {
        var n = raw.count
        if n > 0 && raw[n - 1] == 0x0D { n -= 1 }
        // A byte-order mark can open any line of concatenated files; it is never content.
        let bom = n >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF ? 3 : 0
        let text = UnsafeBufferPointer(rebasing: raw[bom..<n])
        if text.count > maxLine {
            sink.malformed(.oversized)
            return
        }
        var k = 0
        while k < text.count && (text[k] == 0x20 || text[k] == 0x09) { k += 1 }
        if k == text.count { return }
        if framing == .undecided {
            if StreamDecoder.opensMultiLineValue(text) {
                framing = .documents
                scanDocuments(text, to: sink)
                return
            }
            framing = .lines
            prefix = LinePrefix.detect(text)
        }
        switch prefix {
        case .none: sink.document(text)
        case .cri: criLine(text, to: sink)
        case .leading: leadingLine(text, to: sink)
        }
    }

    /// True when `line` starts a JSON value that it does not close and ends where a
    /// pretty-printer breaks lines.
    static func opensMultiLineValue(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var k = 0
        while k < line.count && (line[k] == 0x20 || line[k] == 0x09) { k += 1 }
        guard k < line.count, line[k] == UInt8(ascii: "{") || line[k] == UInt8(ascii: "[") else { return false }
        var depth = 0
        var inString = false
        var escaped = false
        var last: UInt8 = 0
        for c in line[k...] {
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
            }
            if c != 0x20 && c != 0x09 { last = c }
        }
        guard depth > 0, !inString else { return false }
        return last == UInt8(ascii: "{") || last == UInt8(ascii: "[") || last == UInt8(ascii: ",") || last == UInt8(ascii: ":")
    }

    /// The documents framing: JSON values separated by whitespace, found by bracket depth.
    /// The elements of a top-level array (`gcloud logging read --format=json`, a saved list
    /// of events) are handed over one by one, so the array may be any size.
    private mutating func scanDocuments(_ bytes: UnsafeBufferPointer<UInt8>, to sink: some DocumentSink) {
        var valueStart = 0
        for (k, c) in bytes.enumerated() {
            if depth == 0 {
                if skippingGarbage {
                    if c == 0x0A { skippingGarbage = false }
                    continue
                }
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { continue }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    depth = 1
                    inArray = c == UInt8(ascii: "[")
                    valueStart = k
                    pending.removeAll(keepingCapacity: true)
                    discarding = false
                    continue
                }
                sink.malformed(c == 0 ? .nulByte : .invalidJSON)
                skippingGarbage = true
                continue
            }
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            if inArray && depth == 1 {
                // A top-level array's element that is not an object or array is no event.
                switch c {
                case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: "]"):
                    inScalar = false
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    break
                default:
                    if !inScalar { sink.malformed(.notAnEvent) }
                    inScalar = c != UInt8(ascii: "\"")
                    if c == UInt8(ascii: "\"") { inString = true }
                    continue
                }
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if inArray && depth == 2 {
                    valueStart = k
                    pending.removeAll(keepingCapacity: true)
                    discarding = false
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 && inArray {
                    // The array's elements went out as they closed.
                    inArray = false
                } else if depth == (inArray ? 1 : 0) {
                    let piece = UnsafeBufferPointer(rebasing: bytes[valueStart...k])
                    if discarding || pending.count + piece.count > maxLine {
                        sink.malformed(.oversized)
                    } else if pending.isEmpty {
                        sink.document(piece)
                    } else {
                        pending.append(contentsOf: piece)
                        let whole = pending
                        whole.withUnsafeBufferPointer { sink.document($0) }
                    }
                    pending.removeAll(keepingCapacity: true)
                    discarding = false
                }
            default: break
            }
        }
        // Between the elements of a top-level array, nothing needs keeping.
        if depth > (inArray ? 1 : 0) && !discarding {
            let piece = UnsafeBufferPointer(rebasing: bytes[valueStart...])
            if pending.count + piece.count > maxLine {
                pending.removeAll(keepingCapacity: false)
                discarding = true
            } else {
                pending.append(contentsOf: piece)
            }
        }
    }
}
