import AuditCore

/// Pretty-prints raw JSON for the detail view, one screen line per output line, with roles
/// for keys, strings, numbers and literals. Works on the raw bytes, so it shows exactly
/// what the event held (made visible-safe when drawn).
public enum PrettyJSON {
    /// A run of text in one role.
    public typealias Piece = (text: String, role: Role)

    public static func lines(_ bytes: [UInt8], indent: Int = 2) -> [[Piece]] {
        var lines: [[Piece]] = []
        var line: [Piece] = []
        var depth = 0
        var i = 0
        func newline() {
            lines.append(line)
            line = [(String(repeating: " ", count: depth * indent), .normal)]
        }
        line = []
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close: UInt8 = c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                var j = i + 1
                while j < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[j]) { j += 1 }
                if j < bytes.count && bytes[j] == close {
                    line.append((c == UInt8(ascii: "{") ? "{}" : "[]", .dim))
                    i = j + 1
                    continue
                }
                line.append((String(UnicodeScalar(c)), .dim))
                depth += 1
                newline()
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth = max(0, depth - 1)
                newline()
                line[line.count - 1].text = String(repeating: " ", count: depth * indent)
                line.append((String(UnicodeScalar(c)), .dim))
            case UInt8(ascii: ","):
                line.append((",", .dim))
                newline()
            case UInt8(ascii: ":"):
                line.append((": ", .dim))
            case UInt8(ascii: "\""):
                var j = i + 1
                while j < bytes.count && bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
                let text = String(decoding: bytes[i..<min(j + 1, bytes.count)], as: UTF8.self)
                let isKey = nextNonSpace(bytes, j + 1) == UInt8(ascii: ":")
                line.append((text, isKey ? .jsonKey : .jsonString))
                i = j + 1
                continue
            case 0x20, 0x0A, 0x0D, 0x09:
                break
            default:
                var j = i
                while j < bytes.count, !",}] \n\r\t".utf8.contains(bytes[j]) { j += 1 }
                let text = String(decoding: bytes[i..<j], as: UTF8.self)
                line.append((text, text == "null" ? .jsonNull : (text == "true" || text == "false" ? .jsonBool : .jsonNumber)))
                i = j
                continue
            }
            i += 1
        }
        if !line.isEmpty { lines.append(line) }
        return lines.filter { !($0.count == 1 && $0[0].text.allSatisfy { $0 == " " }) }
    }

    private static func nextNonSpace(_ b: [UInt8], _ from: Int) -> UInt8? {
        var k = from
        while k < b.count, [0x20, 0x0A, 0x0D, 0x09].contains(b[k]) { k += 1 }
        return k < b.count ? b[k] : nil
    }

    /// The plain text of a line, for searching.
    public static func text(_ line: [Piece]) -> String { line.map(\.text).joined() }
}
