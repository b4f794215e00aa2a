/// Base64 (the standard and URL-safe alphabets, padded or not), as Pub/Sub messages and
/// Kinesis records carry their data.
enum Base64 {
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (k, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(c)] = UInt8(k)
        }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// The decoded bytes, or nil when `text` holds anything but base64 (line breaks aside).
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3 + 3)
        var bits: UInt32 = 0
        var held = 0
        var padding = 0
        for c in text {
            if c == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            if c == 0x0A || c == 0x0D { continue }
            let v = values[Int(c)]
            guard v != 0xFF, padding == 0 else { return nil }
            bits = bits << 6 | UInt32(v)
            held += 6
            if held >= 8 {
                held -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> UInt32(held)))
            }
        }
        guard padding <= 2, held < 6 else { return nil }
        return out
    }

    /// True when `text` opens like the base64 of JSON (`{"`, `[{`) or of gzip data: a line
    /// worth decoding.
    static func looksEncoded(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count >= 8 else { return false }
        return ["H4sI", "eyJ", "W3si"].contains { LinePrefix.startsWith(text, at: 0, $0) }
    }
}
