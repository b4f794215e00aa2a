#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns one document (a JSON line, a request body, a whole file) into audit events.
///
/// Accepts a single Event, an `EventList`, a JSON array of Events, an Azure diagnostic
/// envelope (`records[].properties.log`, a JSON string or an object, or one bare record),
/// and the apiserver's legacy text line. Events of `audit.k8s.io/v1`, `v1beta1` and with no
/// `apiVersion` all decode; legacy `timestamp` / `metadata.creationTimestamp` stand in for
/// missing v1 timestamps.
///
/// Only the fields audittop uses are extracted; the rest is validated and skipped, so the
/// cost is one pass over the bytes with no allocation for an ordinary event.
public struct EventDecoder: Sendable {
    /// Objects and arrays nested deeper than this make the document malformed (`tooDeep`).
    public var maxDepth: Int

    public init(maxDepth: Int = 256) {
        self.maxDepth = maxDepth
    }

    /// Decodes `document`, calling `emit` for each event and `malformed` for each bad part.
    ///
    /// Blank input is ignored. In a list, a bad element that is still valid JSON is counted
    /// and skipped while its neighbours decode; a document that is not valid JSON is counted
    /// once, after the events before the damage were emitted.
    public func decode(
        _ document: UnsafeBufferPointer<UInt8>,
        emit: (inout DecodedEvent) -> Void,
        malformed: (MalformedKind) -> Void
    ) {
        withoutActuallyEscaping(emit) { emit in
            withoutActuallyEscaping(malformed) { malformed in
                decode(document, into: ClosureSink(emit: emit, malformed: malformed))
            }
        }
    }

    /// Decodes `document` into `sink`; see `decode(_:emit:malformed:)`. `times`: the
    /// caller's timestamp memo, kept across its documents (one thread at a time).
    public func decode<S: EventSink>(_ document: UnsafeBufferPointer<UInt8>, into sink: S, times: UnsafeMutablePointer<TimestampMemo>? = nil) {
        guard let base = document.baseAddress, document.count > 0 else { return }
        var c = JSONCursor(base: base, end: document.count, maxDepth: maxDepth)
        c.times = times
        if document.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { c.i = 3 }
        c.skipWhitespace()
        guard !c.atEnd else { return }
        // Bad elements of a list are counted only once the whole document has parsed: when
        // the document itself is broken, that one error is what gets counted.
        var deferred = 0
        do throws(MalformedKind) {
            switch c.byte {
            case UInt8(ascii: "{"):
                var event = DecodedEvent(base: base)
                let isContainer = try parseObject(&c, depth: 0, event: &event, top: true, sink: sink, deferred: &deferred)
                c.skipWhitespace()
                guard c.atEnd else { throw c.byte == 0 ? .nulByte : .invalidJSON }
                if !isContainer { finish(&event, sink: sink, deferred: &deferred) }
            case UInt8(ascii: "["):
                try c.forEachElement(depth: 0) { (c: inout JSONCursor) throws(MalformedKind) in
                    try element(&c, depth: 1, sink: sink, deferred: &deferred)
                }
                c.skipWhitespace()
                guard c.atEnd else { throw c.byte == 0 ? .nulByte : .invalidJSON }
            default:
                let text = UnsafeBufferPointer(start: base + c.i, count: document.count - c.i)
                if let json = LegacyTextLine.json(text) {
                    json.withUnsafeBufferPointer { decode($0, into: sink) }
                } else if decodeBase64Line(trimmed(text), into: sink) {
                    break
                } else {
                    throw memchr(base, 0, document.count) != nil ? .nulByte : .invalidJSON
                }
            }
            for _ in 0..<deferred { sink.malformed(.notAnEvent) }
        } catch {
            sink.malformed(error)
        }
    }

    /// `text` without the whitespace that ends it.
    private func trimmed(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var n = text.count
        while n > 0 && (text[n - 1] == 0x20 || text[n - 1] == 0x0A || text[n - 1] == 0x0D || text[n - 1] == 0x09) { n -= 1 }
        return UnsafeBufferPointer(rebasing: text[0..<n])
    }

    /// Emits a finished event, or counts it as not an event.
    private func finish<S: EventSink>(_ event: inout DecodedEvent, sink: S, deferred: inout Int) {
        let c = JSONCursor(base: event.base, end: 0, maxDepth: 0)
        let kindOK = event.kind.isEmpty || c.equals(event.kind, "Event")
        // A level outside the four audit levels marks a re-encoding (OpenShift's ViaQ
        // records carry `level: "default"`), not an Event.
        let levelOK = event.level.isEmpty || c.equals(event.level, "Metadata") || c.equals(event.level, "Request")
            || c.equals(event.level, "RequestResponse") || c.equals(event.level, "None")
        if kindOK && levelOK && event.looksLikeEvent { sink.event(&event) } else { deferred += 1 }
    }

    /// One element of an `items` array or a top-level array.
    func element<S: EventSink>(
        _ c: inout JSONCursor, depth: Int, sink: S, deferred: inout Int
    ) throws(MalformedKind) {
        guard c.byte == UInt8(ascii: "{") else {
            try c.skipValue(depth: depth)
            deferred += 1
            return
        }
        var event = DecodedEvent(base: c.base)
        let start = c.i
        do throws(MalformedKind) {
            if try !parseObject(&c, depth: depth, event: &event, top: false, sink: sink, deferred: &deferred) {
                finish(&event, sink: sink, deferred: &deferred)
            }
        } catch {
            // A bad item (a raw NUL, invalid UTF-8, a broken value) costs only itself: when its
            // end can still be found, it is counted and the list goes on after it. Good input
            // is scanned once; only a bad item is scanned again, to find where it ends.
            guard let end = JSONCursor.endOfValue(c.base, from: start, to: c.end) else { throw error }
            sink.malformed(error)
            c.i = end
        }
    }

    /// Parses an event object at the cursor into `event`; with `top`, also unwraps lists and
    /// envelopes, emitting their events. Returns true when the object was such a container.
    private func parseObject<S: EventSink>(
        _ c: inout JSONCursor, depth: Int, event: inout DecodedEvent, top: Bool,
        sink: S, deferred: inout Int
    ) throws(MalformedKind) -> Bool {
        let start = c.i
        var isContainer = false
        var logEntry = false
        var legacyTime: Span = .empty
        try c.expect(UInt8(ascii: "{"))
        guard depth < maxDepth else { throw .tooDeep }
        if try c.peek() != UInt8(ascii: "}") {
            repeat {
                c.skipWhitespace()
                let key = try c.string()
                try c.expect(UInt8(ascii: ":"))
                c.skipWhitespace()
                guard c.i < c.end else { throw .truncated }
                let d = depth + 1
                switch key.count {
                case 4 where c.equals(key, "kind"): event.kind = try c.stringOrSkip(depth: d)
                case 4 where c.equals(key, "verb"): event.verb = try c.stringOrSkip(depth: d)
                case 4 where c.equals(key, "user"):
                    try parseUser(&c, depth: d, name: &event.username, uid: &event.uid, groups: &event.groups, node: &event.tokenNode)
                case 5 where c.equals(key, "level"): event.level = try c.stringOrSkip(depth: d)
                case 5 where c.equals(key, "stage"): event.stage = try c.stringOrSkip(depth: d)
                case 5 where top && c.equals(key, "items") && c.byte == UInt8(ascii: "["):
                    isContainer = true
                    try c.forEachElement(depth: d) { (c: inout JSONCursor) throws(MalformedKind) in
                        try element(&c, depth: d + 1, sink: sink, deferred: &deferred)
                    }
                case 7 where c.equals(key, "auditID"):
                    event.auditID = try c.stringOrSkip(depth: d)
                    sink.sawAuditID(c.base, event.auditID)
                case 7 where top && c.equals(key, "records") && c.byte == UInt8(ascii: "["):
                    isContainer = true
                    try c.forEachElement(depth: d) { (c: inout JSONCursor) throws(MalformedKind) in
                        try record(&c, depth: d + 1, sink: sink, deferred: &deferred)
                    }
                case 8 where c.equals(key, "metadata") && c.byte == UInt8(ascii: "{"):
                    try c.forEachMember(depth: d) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
                        if c.equals(k, "creationTimestamp"), legacyTime.isEmpty {
                            legacyTime = try c.stringOrSkip(depth: d + 1)
                        } else {
                            try c.skipValue(depth: d + 1)
                        }
                    }
                case 9 where c.equals(key, "sourceIPs"):
                    let s = c.i
                    if c.byte == UInt8(ascii: "[") {
                        var first = Span.empty
                        try c.forEachElement(depth: d) { (c: inout JSONCursor) throws(MalformedKind) in
                            let ip = try c.stringOrSkip(depth: d + 1)
                            if first.isEmpty { first = ip }
                        }
                        event.sourceIP = first
                    } else {
                        try c.skipValue(depth: d)
                    }
                    event.sourceIPs = Span(start: s, count: c.i - s, escaped: false)
                case 9 where c.equals(key, "userAgent"): event.userAgent = try c.stringOrSkip(depth: d)
                case 9 where c.equals(key, "objectRef"): try parseObjectRef(&c, depth: d, event: &event)
                case 9 where c.equals(key, "timestamp"): legacyTime = try c.stringOrSkip(depth: d)
                case 10 where c.equals(key, "apiVersion"): event.apiVersion = try c.stringOrSkip(depth: d)
                case 10 where c.equals(key, "requestURI"): event.requestURI = try c.stringOrSkip(depth: d)
                case 10 where top && c.equals(key, "properties") && c.byte == UInt8(ascii: "{"):
                    if try properties(&c, depth: d, sink: sink, deferred: &deferred) { isContainer = true }
                case 11 where c.equals(key, "annotations"): try parseAnnotations(&c, depth: d, event: &event)
                case 13 where c.equals(key, "requestObject"):
                    let s = c.i
                    try c.skipValue(depth: d)
                    if event.requestObject.isEmpty { event.requestObject = Span(start: s, count: c.i - s, escaped: false) }
                case 14 where c.equals(key, "responseStatus"): try parseStatus(&c, depth: d, event: &event)
                case 14 where c.equals(key, "stageTimestamp"):
                    event.stageTime = timestamp(&c, try c.stringOrSkip(depth: d))
                case 16 where c.equals(key, "impersonatedUser"):
                    var uid = Span.empty, node = Span.empty
                    try parseUser(&c, depth: d, name: &event.impersonatedUser, uid: &uid, groups: &event.impersonatedGroups, node: &node)
                case 24 where c.equals(key, "requestReceivedTimestamp"):
                    event.received = timestamp(&c, try c.stringOrSkip(depth: d))
                // Cloud envelopes: rare, so after every Event key.
                case 6 where top && c.equals(key, "events") && c.byte == UInt8(ascii: "["):
                    isContainer = true
                    try logEvents(&c, depth: d, sink: sink, deferred: &deferred)
                case 9 where top && c.equals(key, "logEvents") && c.byte == UInt8(ascii: "["):
                    isContainer = true
                    try logEvents(&c, depth: d, sink: sink, deferred: &deferred)
                case 7 where top && c.equals(key, "Records") && c.byte == UInt8(ascii: "["):
                    isContainer = true
                    try kinesisRecords(&c, depth: d, sink: sink, deferred: &deferred)
                case 7 where top && c.equals(key, "message") && c.byte == UInt8(ascii: "{"):
                    if try base64Data(&c, depth: d, sink: sink) { isContainer = true }
                case 12 where c.equals(key, "protoPayload") && c.byte == UInt8(ascii: "{"):
                    logEntry = true
                    try c.skipValue(depth: d)
                default:
                    try c.skipValue(depth: d)
                }
            } while try c.nextMember(close: UInt8(ascii: "}"))
        } else {
            c.i += 1
        }
        event.raw = Span(start: start, count: c.i - start, escaped: false)
        if logEntry {
            // A Cloud Logging entry (GKE): read again as a whole, and decoded as its Event.
            var entry = JSONCursor(base: c.base, start: start, end: c.i, maxDepth: maxDepth)
            if let json = try GKELogEntry.event(&entry, depth: depth) {
                json.withUnsafeBufferPointer { decode($0, into: sink) }
                return true
            }
        }
        if !legacyTime.isEmpty, let t = timestamp(&c, legacyTime) {
            if event.received == nil { event.received = t }
            if event.stageTime == nil { event.stageTime = t }
        }
        if event.received == nil { event.received = event.stageTime }
        return isContainer
    }

    private func timestamp(_ c: inout JSONCursor, _ span: Span) -> Int64? {
        guard !span.isEmpty, !span.escaped else { return nil }
        if let memo = c.times { return Timestamp.parse(c.base + span.start, count: span.count, memo: &memo.pointee) }
        return Timestamp.parse(c.base + span.start, count: span.count)
    }

    private func parseUser(
        _ c: inout JSONCursor, depth: Int, name: inout Span, uid: inout Span, groups: inout Span, node: inout Span
    ) throws(MalformedKind) {
        guard c.byte == UInt8(ascii: "{") else { return try c.skipValue(depth: depth) }
        try c.forEachMember(depth: depth) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            if c.equals(k, "username") {
                name = try c.stringOrSkip(depth: depth + 1)
            } else if c.equals(k, "groups") {
                let s = c.i
                try c.skipValue(depth: depth + 1)
                groups = Span(start: s, count: c.i - s, escaped: false)
            } else if c.equals(k, "uid") {
                uid = try c.stringOrSkip(depth: depth + 1)
            } else if c.equals(k, "extra"), c.byte == UInt8(ascii: "{") {
                try parseExtra(&c, depth: depth + 1, node: &node)
            } else {
                try c.skipValue(depth: depth + 1)
            }
        }
    }

    /// `user.extra`: the node a bound service-account token was issued for
    /// (`authentication.kubernetes.io/node-name`, its first value); the rest is skipped.
    private func parseExtra(_ c: inout JSONCursor, depth: Int, node: inout Span) throws(MalformedKind) {
        try c.forEachMember(depth: depth) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            guard c.equals(k, "authentication.kubernetes.io/node-name"), c.byte == UInt8(ascii: "[") else {
                return try c.skipValue(depth: depth + 1)
            }
            var first = Span.empty
            try c.forEachElement(depth: depth + 1) { (c: inout JSONCursor) throws(MalformedKind) in
                let s = try c.stringOrSkip(depth: depth + 2)
                if first.isEmpty { first = s }
            }
            node = first
        }
    }

    private func parseObjectRef(_ c: inout JSONCursor, depth: Int, event: inout DecodedEvent) throws(MalformedKind) {
        guard c.byte == UInt8(ascii: "{") else { return try c.skipValue(depth: depth) }
        event.hasObjectRef = true
        try c.forEachMember(depth: depth) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            let d = depth + 1
            switch k.count {
            case 4 where c.equals(k, "name"): event.name = try c.stringOrSkip(depth: d)
            case 8 where c.equals(k, "resource"): event.resource = try c.stringOrSkip(depth: d)
            case 8 where c.equals(k, "apiGroup"): event.apiGroup = try c.stringOrSkip(depth: d)
            case 9 where c.equals(k, "namespace"): event.namespace = try c.stringOrSkip(depth: d)
            case 10 where c.equals(k, "apiVersion"): event.objectAPIVersion = try c.stringOrSkip(depth: d)
            case 11 where c.equals(k, "subresource"): event.subresource = try c.stringOrSkip(depth: d)
            default: try c.skipValue(depth: d)
            }
        }
    }

    private func parseStatus(_ c: inout JSONCursor, depth: Int, event: inout DecodedEvent) throws(MalformedKind) {
        guard c.byte == UInt8(ascii: "{") else { return try c.skipValue(depth: depth) }
        try c.forEachMember(depth: depth) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            let d = depth + 1
            if c.equals(k, "code") {
                let b = try c.peek()
                if b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) {
                    if let v = try c.number(), (0...999).contains(v) { event.code = v }
                } else {
                    try c.skipValue(depth: d)
                }
            } else if c.equals(k, "status") {
                event.status = try c.stringOrSkip(depth: d)
            } else if c.equals(k, "reason") {
                event.reason = try c.stringOrSkip(depth: d)
            } else if c.equals(k, "message") {
                event.message = try c.stringOrSkip(depth: d)
            } else {
                try c.skipValue(depth: d)
            }
        }
    }

    private func parseAnnotations(_ c: inout JSONCursor, depth: Int, event: inout DecodedEvent) throws(MalformedKind) {
        let s = c.i
        guard c.byte == UInt8(ascii: "{") else { return try c.skipValue(depth: depth) }
        try c.forEachMember(depth: depth) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            if c.equals(k, "authorization.k8s.io/decision") {
                event.decision = try c.stringOrSkip(depth: depth + 1)
            } else if c.equals(k, "authorization.k8s.io/reason") {
                event.decisionReason = try c.stringOrSkip(depth: depth + 1)
            } else {
                try c.skipValue(depth: depth + 1)
            }
        }
        event.annotations = Span(start: s, count: c.i - s, escaped: false)
    }

    /// One Azure diagnostic record: `{..., "properties": {"log": ...}}`.
    private func record<S: EventSink>(
        _ c: inout JSONCursor, depth: Int, sink: S, deferred: inout Int
    ) throws(MalformedKind) {
        guard c.byte == UInt8(ascii: "{") else {
            try c.skipValue(depth: depth)
            deferred += 1
            return
        }
        var found = false
        try c.forEachMember(depth: depth) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            if c.equals(k, "properties"), c.byte == UInt8(ascii: "{") {
                found = try properties(&c, depth: depth + 1, sink: sink, deferred: &deferred)
            } else {
                try c.skipValue(depth: depth + 1)
            }
        }
        if !found { deferred += 1 }
    }

    /// The `properties` object of an Azure record; returns true when it held a `log`.
    private func properties<S: EventSink>(
        _ c: inout JSONCursor, depth: Int, sink: S, deferred: inout Int
    ) throws(MalformedKind) -> Bool {
        var found = false
        try c.forEachMember(depth: depth) { (c: inout JSONCursor, k: Span) throws(MalformedKind) in
            guard c.equals(k, "log") else { return try c.skipValue(depth: depth + 1) }
            found = true
            if c.byte == UInt8(ascii: "\"") {
                let text = try c.string()
                var inner: [UInt8] = []
                inner.reserveCapacity(text.count)
                JSONText.unescape(base: c.base, span: text, into: &inner)
                inner.withUnsafeBufferPointer { decode($0, into: sink) }
            } else if c.byte == UInt8(ascii: "{") {
                try element(&c, depth: depth + 1, sink: sink, deferred: &deferred)
            } else {
                try c.skipValue(depth: depth + 1)
                deferred += 1
            }
        }
        return found
    }

    /// Calls `body` with each string of a JSON array span such as `DecodedEvent.groups`.
    public static func forEachString(base: UnsafePointer<UInt8>, array: Span, _ body: (Span) -> Void) {
        guard array.count > 0, base[array.start] == UInt8(ascii: "[") else { return }
        var c = JSONCursor(base: base, start: array.start, end: array.start + array.count, maxDepth: 64)
        try? c.forEachElement(depth: 0) { (c: inout JSONCursor) throws(MalformedKind) in
            let s = try c.stringOrSkip(depth: 1)
            if !s.isEmpty { body(s) }
        }
    }
}

/// Where `EventDecoder` delivers what it decodes.
public protocol EventSink: AnyObject {
    /// One decoded event; its spans are valid only during the call.
    func event(_ event: inout DecodedEvent)
    /// A bad document or list element, by kind.
    func malformed(_ kind: MalformedKind)
    /// An event's `auditID`, as soon as it is read (before the rest of the event).
    func sawAuditID(_ base: UnsafePointer<UInt8>, _ span: Span)
}

extension EventSink {
    public func sawAuditID(_ base: UnsafePointer<UInt8>, _ span: Span) {}
}

/// Adapts two closures to `EventSink`.
private final class ClosureSink: EventSink {
    let emit: (inout DecodedEvent) -> Void
    let onMalformed: (MalformedKind) -> Void

    init(emit: @escaping (inout DecodedEvent) -> Void, malformed: @escaping (MalformedKind) -> Void) {
        self.emit = emit
        onMalformed = malformed
    }

    func event(_ event: inout DecodedEvent) { emit(&event) }
    func malformed(_ kind: MalformedKind) { onMalformed(kind) }
}
