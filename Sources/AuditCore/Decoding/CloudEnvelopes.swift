/// The envelopes cloud logging services put audit events in, as their tools hand them out:
///
/// - CloudWatch Logs (EKS): `aws logs filter-log-events` and `get-log-events` output
///   (`{"events":[{"message":"<Event>"}]}`), subscription-filter records
///   (`{"messageType":"DATA_MESSAGE","logEvents":[{"message":"<Event>"}]}`, control messages
///   passed over), and Kinesis records of them (`{"Records":[{"kinesis":{"data":"<base64
///   gzip>"}}]}`, or `Data` as `aws kinesis get-records` prints it).
/// - Pub/Sub push (GKE through a Logging sink): `{"message":{"data":"<base64 LogEntry>"}}`.
///
/// What an envelope carries is decoded as a document of its own, so a carried LogEntry, a
/// gzipped record or a plain Event all work, and a bad item costs only itself.
extension EventDecoder {
    /// The largest payload a base64 or gzip envelope may unpack to.
    static let maxCarried = 64 << 20

    /// Decodes bytes an envelope carried: inflated first when they are gzip.
    func decodeCarried(_ bytes: [UInt8], into sink: some EventSink) {
        if bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B {
            guard let inflated = bytes.withUnsafeBufferPointer({ GzipStream.inflateAll($0, limit: Self.maxCarried) }) else {
                return sink.malformed(.truncated)
            }
            // One gzip payload may hold several records, one a line (members end lines).
            var framer = StreamDecoder(maxLine: Self.maxCarried)
            let lines = CarriedLines(decoder: self, sink: sink)
            inflated.withUnsafeBufferPointer { framer.feed($0, to: lines) }
            framer.finish(to: lines)
            return
        }
        bytes.withUnsafeBufferPointer { decode($0, into: sink) }
    }

    /// A line that is all base64 (a Kinesis record or Pub/Sub data saved as text): decoded
    /// and read. False when it is not base64.
    func decodeBase64Line(_ text: UnsafeBufferPointer<UInt8>, into sink: some EventSink) -> Bool {
        guard Base64.looksEncoded(text), let bytes = Base64.decode(text) else { return false }
        decodeCarried(bytes, into: sink)
        return true
    }

    /// The string value at the cursor, unescaped.
    private func stringBytes(_ c: inout JSONCursor) throws(MalformedKind) -> [UInt8] {
        let span = try c.string()
        if !span.escaped { return Array(UnsafeBufferPointer(start: c.base + span.start, count: span.count)) }
        var out: [UInt8] = []
        JSONText.unescape(base: c.base, span: span, into: &out)
        return out
    }

    /// The base64 string value at the cursor, decoded and read; a value that is not base64 is
    /// counted.
    private func carriedBase64(_ c: inout JSONCursor, sink: some EventSink) throws(MalformedKind) {
        let text = try stringBytes(&c)
        guard let bytes = text.withUnsafeBufferPointer({ Base64.decode($0) }) else { return sink.malformed(.invalidJSON) }
        decodeCarried(bytes, into: sink)
    }

    /// Calls `member` with each member of each object in the array at the cursor (it must
    /// consume the value, and says whether it held the payload). An item that is not an
    /// object, or held no payload, is counted as not an event.
    private func forEachItem(
        _ c: inout JSONCursor, depth: Int, deferred: inout Int,
        _ member: (inout JSONCursor, Span) throws(MalformedKind) -> Bool
    ) throws(MalformedKind) {
        try c.forEachElement(depth: depth) { (c: inout JSONCursor) throws(MalformedKind) in
            guard c.byte == UInt8(ascii: "{") else {
                try c.skipValue(depth: depth + 1)
                deferred += 1
                return
            }
            var found = false
            try c.forEachMember(depth: depth + 1) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
                if try member(&c, k) { found = true }
            }
            if !found { deferred += 1 }
        }
    }

    /// CloudWatch's `events` or `logEvents` array: each item's `message` is one log line.
    func logEvents(_ c: inout JSONCursor, depth: Int, sink: some EventSink, deferred: inout Int) throws(MalformedKind) {
        try forEachItem(&c, depth: depth, deferred: &deferred) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            guard c.equals(k, "message"), c.byte == UInt8(ascii: "\"") else {
                try c.skipValue(depth: depth + 2)
                return false
            }
            let line = try stringBytes(&c)
            // A subscription's health checks ride in the same arrays.
            if !line.starts(with: "CWL CONTROL MESSAGE".utf8) { line.withUnsafeBufferPointer { decode($0, into: sink) } }
            return true
        }
    }

    /// Kinesis `Records`: each record's `kinesis.data` (a Lambda event) or `Data` (as
    /// `aws kinesis get-records` prints it) is base64.
    func kinesisRecords(_ c: inout JSONCursor, depth: Int, sink: some EventSink, deferred: inout Int) throws(MalformedKind) {
        try forEachItem(&c, depth: depth, deferred: &deferred) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            let d = depth + 2
            if c.equals(k, "Data"), c.byte == UInt8(ascii: "\"") {
                try carriedBase64(&c, sink: sink)
                return true
            }
            guard c.equals(k, "kinesis"), c.byte == UInt8(ascii: "{") else {
                try c.skipValue(depth: d)
                return false
            }
            return try base64Data(&c, depth: d, sink: sink)
        }
    }

    /// An object whose `data` is base64: a Pub/Sub push's `message`, a Lambda's `kinesis`.
    /// Returns true when it had data.
    func base64Data(_ c: inout JSONCursor, depth: Int, sink: some EventSink) throws(MalformedKind) -> Bool {
        var found = false
        try c.forEachMember(depth: depth) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            guard c.equals(k, "data"), c.byte == UInt8(ascii: "\"") else { return try c.skipValue(depth: depth + 1) }
            found = true
            try carriedBase64(&c, sink: sink)
        }
        return found
    }
}

/// Lines of an inflated envelope payload, each decoded as a document.
private final class CarriedLines<S: EventSink>: DocumentSink {
    let decoder: EventDecoder
    let sink: S

    init(decoder: EventDecoder, sink: S) {
        self.decoder = decoder
        self.sink = sink
    }

    func document(_ bytes: UnsafeBufferPointer<UInt8>) { decoder.decode(bytes, into: sink) }
    func malformed(_ kind: MalformedKind) { sink.malformed(kind) }
}
