/// Making untrusted event text safe to print on a terminal.
public enum TerminalText {
    /// `text` with every control character and escape sequence removed: C0 controls and DEL,
    /// C1 controls, ESC-introduced sequences whole (CSI `ESC [ … final`, OSC and other
    /// string commands up to BEL or `ESC \`), and the bidirectional overrides that can make
    /// text read differently from what it is. Tabs and line breaks become spaces.
    public static func sanitize(_ text: String) -> String {
        var needs = false
        for s in text.unicodeScalars where isUnsafe(s) {
            needs = true
            break
        }
        if !needs { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            if s == "\u{1B}" {
                i = skipEscape(scalars, from: i)
                continue
            }
            if s == "\t" || s == "\n" || s == "\r" {
                out.append(" ")
            } else if !isUnsafe(s) {
                out.append(s)
            }
            i += 1
        }
        return String(out)
    }

    private static func isUnsafe(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || (0x202A...0x202E).contains(v)
            || (0x2066...0x2069).contains(v)
    }

    /// Returns the index after the escape sequence starting at `start` (an ESC).
    private static func skipEscape(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start + 1
        guard i < s.count else { return i }
        switch s[i] {
        case "[":
            i += 1
            while i < s.count, !(0x40...0x7E).contains(s[i].value) { i += 1 }
            return min(i + 1, s.count)
        case "]", "P", "X", "^", "_":
            i += 1
            while i < s.count {
                if s[i] == "\u{07}" { return i + 1 }
                if s[i] == "\u{1B}", i + 1 < s.count, s[i + 1] == "\\" { return i + 2 }
                i += 1
            }
            return i
        default:
            return i + 1
        }
    }
}
