#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CAuditScan

/// A forward-only reader over JSON bytes that validates as it goes.
///
/// The decoder uses it to pull the few fields an audit event needs and to skip everything
/// else (request and response bodies can be hundreds of kilobytes) without building any
/// intermediate value. Skipped values are still checked: grammar, string escapes, UTF-8 and
/// nesting depth, so a damaged document is reported as malformed rather than half-read.
struct JSONCursor {
    let base: UnsafePointer<UInt8>
    let end: Int
    var i: Int
    let maxDepth: Int
    /// The decoding owner's timestamp memo, when it keeps one (`EventDecoder.decode`).
    var times: UnsafeMutablePointer<TimestampMemo>?

    init(base: UnsafePointer<UInt8>, start: Int = 0, end: Int, maxDepth: Int) {
        self.base = base
        self.i = start
        self.end = end
        self.maxDepth = maxDepth
    }

    @inline(__always) var atEnd: Bool { i >= end }

    /// The current byte; callers check `atEnd` first.
    @inline(__always) var byte: UInt8 { base[i] }

    @inline(__always) mutating func skipWhitespace() {
        while i < end {
            let c = base[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
        }
    }

    /// Skips whitespace and returns the next byte without consuming it.
    @inline(__always) mutating func peek() throws(MalformedKind) -> UInt8 {
        skipWhitespace()
        guard i < end else { throw .truncated }
        return base[i]
    }

    /// Consumes `c` after optional whitespace.
    @inline(__always) mutating func expect(_ c: UInt8) throws(MalformedKind) {
        let b = try peek()
        guard b == c else { throw b == 0 ? .nulByte : .invalidJSON }
        i += 1
    }

    /// Reads a string starting at its opening quote; returns its contents.
    ///
    /// The scan (escapes, control bytes, UTF-8) runs in `audit_scan_json_string`, sixteen
    /// bytes a step over plain text.
    @inline(__always)
    mutating func string() throws(MalformedKind) -> Span {
        guard i < end else { throw .truncated }
        guard base[i] == UInt8(ascii: "\"") else { throw base[i] == 0 ? .nulByte : .invalidJSON }
        let start = i + 1
        var length = 0
        var escaped: Int32 = 0
        switch audit_scan_json_string_inline(base + start, end - start, &length, &escaped) {
        case Int32(AUDIT_STRING_OK):
            i = start + length + 1
            return Span(start: start, count: length, escaped: escaped != 0)
        case Int32(AUDIT_STRING_TRUNCATED): throw .truncated
        case Int32(AUDIT_STRING_BAD_UTF8): throw .invalidUTF8
        case Int32(AUDIT_STRING_NUL): throw .nulByte
        default: throw .invalidJSON
        }
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Reads a JSON number; returns its value when it is an integer that fits, else nil.
    mutating func number() throws(MalformedKind) -> Int? {
        var negative = false
        if i < end && base[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < end else { throw .truncated }
        var value = 0
        var fits = true
        let first = base[i]
        if first == UInt8(ascii: "0") {
            i += 1
        } else if first >= UInt8(ascii: "1") && first <= UInt8(ascii: "9") {
            while i < end, base[i] >= UInt8(ascii: "0"), base[i] <= UInt8(ascii: "9") {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(base[i] - UInt8(ascii: "0")))
                if o1 || o2 { fits = false } else { value = a }
                i += 1
            }
        } else {
            throw .invalidJSON
        }
        var integral = true
        if i < end && base[i] == UInt8(ascii: ".") {
            integral = false
            i += 1
            try digits()
        }
        if i < end && (base[i] == UInt8(ascii: "e") || base[i] == UInt8(ascii: "E")) {
            integral = false
            i += 1
            if i < end && (base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-")) { i += 1 }
            try digits()
        }
        guard integral && fits else { return nil }
        return negative ? -value : value
    }

    private mutating func digits() throws(MalformedKind) {
        guard i < end else { throw .truncated }
        guard base[i] >= UInt8(ascii: "0") && base[i] <= UInt8(ascii: "9") else { throw .invalidJSON }
        while i < end, base[i] >= UInt8(ascii: "0"), base[i] <= UInt8(ascii: "9") { i += 1 }
    }

    /// Consumes `true`, `false` or `null`.
    mutating func literal() throws(MalformedKind) {
        let word: StaticString
        switch base[i] {
        case UInt8(ascii: "t"): word = "true"
        case UInt8(ascii: "f"): word = "false"
        default: word = "null"
        }
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        for k in 0..<n {
            guard i + k < end else { throw .truncated }
            guard base[i + k] == w[k] else { throw .invalidJSON }
        }
        i += n
    }

    /// Skips one value of any kind, validating it; `depth` is the nesting level it sits at.
    ///
    /// The work is done in C (`audit_skip_json_value`), one loop with no call or throw per
    /// value; it gives what `skipValueReference` gives for every input.
    @inline(__always)
    mutating func skipValue(depth: Int) throws(MalformedKind) {
        var after = 0
        switch audit_skip_json_value(base, end, i, Int32(clamping: depth), Int32(clamping: maxDepth), &after) {
        case Int32(AUDIT_SKIP_OK): i = after
        case Int32(AUDIT_SKIP_TRUNCATED): throw .truncated
        case Int32(AUDIT_SKIP_BAD_UTF8): throw .invalidUTF8
        case Int32(AUDIT_SKIP_NUL): throw .nulByte
        case Int32(AUDIT_SKIP_TOO_DEEP): throw .tooDeep
        case Int32(AUDIT_SKIP_UNSUPPORTED): try skipValueReference(depth: depth)
        default: throw .invalidJSON
        }
    }

    /// How many levels of nesting the C skip holds open; deeper limits use the Swift skip.
    static var skipStackLevels: Int { Int(AUDIT_SKIP_MAX_LEVELS) }

    /// The skip in Swift, one call per value: the reference `skipValue` is checked against,
    /// and the path for nesting allowed deeper than the C skip's fixed stack.
    mutating func skipValueReference(depth: Int) throws(MalformedKind) {
        let c = try peek()
        switch c {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw .tooDeep }
            i += 1
            if try peek() == UInt8(ascii: "}") { i += 1; return }
            while true {
                skipWhitespace()
                _ = try string()
                try expect(UInt8(ascii: ":"))
                try skipValueReference(depth: depth + 1)
                if try !nextMember(close: UInt8(ascii: "}")) { return }
            }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw .tooDeep }
            i += 1
            if try peek() == UInt8(ascii: "]") { i += 1; return }
            while true {
                try skipValueReference(depth: depth + 1)
                if try !nextMember(close: UInt8(ascii: "]")) { return }
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"): try literal()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try number()
        case 0: throw .nulByte
        default: throw .invalidJSON
        }
    }

    /// After a member or element: consumes `,` and returns true, or consumes `close` and
    /// returns false.
    @inline(__always) mutating func nextMember(close: UInt8) throws(MalformedKind) -> Bool {
        let c = try peek()
        i += 1
        if c == UInt8(ascii: ",") { return true }
        if c == close { return false }
        throw c == 0 ? .nulByte : .invalidJSON
    }

    /// Calls `body` with each key of the object at the cursor; `body` must consume the value.
    @inline(__always)
    mutating func forEachMember(
        depth: Int, _ body: (inout JSONCursor, Span) throws(MalformedKind) -> Void
    ) throws(MalformedKind) {
        try expect(UInt8(ascii: "{"))
        guard depth < maxDepth else { throw .tooDeep }
        if try peek() == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipWhitespace()
            let key = try string()
            try expect(UInt8(ascii: ":"))
            // A member cut after its colon (`{"data":`) must end here, not hand `body` a
            // cursor past the end (it reads the value's first byte).
            _ = try peek()
            try body(&self, key)
            if try !nextMember(close: UInt8(ascii: "}")) { return }
        }
    }

    /// Calls `body` for each element of the array at the cursor; `body` must consume it.
    @inline(__always)
    mutating func forEachElement(
        depth: Int, _ body: (inout JSONCursor) throws(MalformedKind) -> Void
    ) throws(MalformedKind) {
        try expect(UInt8(ascii: "["))
        guard depth < maxDepth else { throw .tooDeep }
        if try peek() == UInt8(ascii: "]") { i += 1; return }
        while true {
            // Not just skipping whitespace: a list cut after a comma (`[1,`) must end here,
            // not hand `body` a cursor past the end.
            _ = try peek()
            try body(&self)
            if try !nextMember(close: UInt8(ascii: "]")) { return }
        }
    }

    /// Reads a string value, or skips a non-string value and returns an empty span.
    mutating func stringOrSkip(depth: Int) throws(MalformedKind) -> Span {
        if try peek() == UInt8(ascii: "\"") { return try string() }
        try skipValue(depth: depth)
        return .empty
    }

    /// Where the object or array starting at `start` ends (one past its closing bracket),
    /// looking only at brackets, quotes and backslashes: what is inside strings may be
    /// anything. Nil when it does not end before `end`.
    static func endOfValue(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int? {
        var i = start
        var depth = 0
        var inString = false
        while i < end {
            let b = base[i]
            if inString {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                depth += 1
            } else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return i + 1 }
                if depth < 0 { return nil }
            }
            i += 1
        }
        return nil
    }

    /// True when `span` holds exactly the ASCII bytes of `literal`.
    @inline(__always) func equals(_ span: Span, _ literal: StaticString) -> Bool {
        span.count == literal.utf8CodeUnitCount
            && memcmp(base + span.start, literal.utf8Start, span.count) == 0
    }
}
