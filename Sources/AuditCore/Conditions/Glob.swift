/// Shell-style patterns: `*` any run, `?` one byte, `[...]` a class, `\` escapes the next
/// character (Falco's `glob`, Sigma's wildcards, known-users patterns).
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool { matches(Array(text.utf8), Array(pattern.utf8)) }

    static func matches(_ s: [UInt8], _ p: [UInt8]) -> Bool {
        var i = 0, j = 0, star = -1, mark = 0
        while i < s.count {
            if j < p.count, p[j] == UInt8(ascii: "*") {
                star = j; mark = i; j += 1; continue
            }
            if j < p.count, let width = step(s[i], p, j) {
                i += 1; j += width; continue
            }
            if star >= 0 {
                mark += 1; i = mark; j = star + 1; continue
            }
            return false
        }
        while j < p.count, p[j] == UInt8(ascii: "*") { j += 1 }
        return j == p.count
    }

    /// How many pattern bytes match the byte `c` at `j`, or nil.
    private static func step(_ c: UInt8, _ p: [UInt8], _ j: Int) -> Int? {
        switch p[j] {
        case UInt8(ascii: "?"): return 1
        case UInt8(ascii: "\\") where j + 1 < p.count: return p[j + 1] == c ? 2 : nil
        case UInt8(ascii: "["):
            guard let close = p[(j + 1)...].firstIndex(of: UInt8(ascii: "]")), close > j + 1 else { return p[j] == c ? 1 : nil }
            var k = j + 1
            var negate = false
            if p[k] == UInt8(ascii: "!") || p[k] == UInt8(ascii: "^") { negate = true; k += 1 }
            var hit = false
            while k < close {
                if k + 2 < close, p[k + 1] == UInt8(ascii: "-") {
                    if c >= p[k] && c <= p[k + 2] { hit = true }
                    k += 3
                } else {
                    if c == p[k] { hit = true }
                    k += 1
                }
            }
            return hit != negate ? close - j + 1 : nil
        default: return p[j] == c ? 1 : nil
        }
    }
}
