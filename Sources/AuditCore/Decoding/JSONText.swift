/// Turning JSON string contents into text, and text into JSON string literals.
public enum JSONText {
    /// Appends the unescaped bytes of a JSON string's contents to `out`.
    ///
    /// The input was validated by `JSONCursor`; lone surrogates become U+FFFD.
    public static func unescape(base: UnsafePointer<UInt8>, span: Span, into out: inout [UInt8]) {
        guard span.escaped else {
            out.append(contentsOf: UnsafeBufferPointer(start: base + span.start, count: span.count))
            return
        }
        var i = span.start
        let end = span.start + span.count
        while i < end {
            let c = base[i]
            guard c == UInt8(ascii: "\\"), i + 1 < end else {
                out.append(c)
                i += 1
                continue
            }
            let e = base[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(base, i, end)
                i += 4
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= end, base[i] == UInt8(ascii: "\\"),
                    base[i + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(base, i + 2, end)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
            default: out.append(e)
            }
        }
    }

    /// The contents of a JSON string span as a Swift string.
    public static func string(base: UnsafePointer<UInt8>, span: Span) -> String {
        if span.count == 0 { return "" }
        if !span.escaped {
            return String(decoding: UnsafeBufferPointer(start: base + span.start, count: span.count), as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(span.count)
        unescape(base: base, span: span, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex4(_ base: UnsafePointer<UInt8>, _ at: Int, _ end: Int) -> UInt32 {
        guard at + 4 <= end else { return 0xFFFD }
        var v: UInt32 = 0
        for k in 0..<4 { v = v << 4 | UInt32(JSONCursor.hexValue(base[at + k]) ?? 0) }
        return v
    }

    static func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        for unit in UTF8.encode(scalar)! { out.append(unit) }
    }

    /// Appends `text` as a quoted JSON string literal.
    public static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for unit in text.utf8 {
            switch unit {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(unit >> 4)], hex[Int(unit & 15)]])
            default: out.append(unit)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
