/// How many terminal cells a character takes: 2 for East Asian wide and fullwidth
/// characters and most emoji, 0 for combining marks and zero-width characters, else 1.
///
/// A table of its own rather than `wcwidth(3)`, whose answer depends on the process locale.
public enum CellWidth {
    /// Cells taken by `scalar`.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x300 { return 1 }
        if isZeroWidth(v) { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    /// Cells taken by `text` (its scalars' widths added up).
    public static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    static func isZeroWidth(_ v: UInt32) -> Bool {
        (0x300...0x36F).contains(v) || (0x483...0x489).contains(v) || (0x591...0x5BD).contains(v)
            || (0x610...0x61A).contains(v) || (0x64B...0x65F).contains(v) || (0x200B...0x200F).contains(v)
            || (0x202A...0x202E).contains(v) || (0x2060...0x2064).contains(v) || (0x2066...0x2069).contains(v)
            || (0x20D0...0x20FF).contains(v) || (0xFE00...0xFE0F).contains(v) || (0xFE20...0xFE2F).contains(v)
            || v == 0xFEFF || (0xE0100...0xE01EF).contains(v)
    }

    static func isWide(_ v: UInt32) -> Bool {
        (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F900...0x1F9FF).contains(v) || (0x1F680...0x1F6FF).contains(v) || (0x20000...0x3FFFD).contains(v)
    }
}

extension TerminalText {
    /// `text` made visible and harmless for a screen cell: C0 controls become their control
    /// pictures (ESC shows as ␛, so an escape sequence is shown, not obeyed), DEL becomes ␡,
    /// and C1 controls, bidirectional overrides and zero-width characters become �.
    public static func visible(_ text: String) -> String {
        var needs = false
        for s in text.unicodeScalars {
            let v = s.value
            if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || (v >= 0x200B && CellWidth.isZeroWidth(v)) {
                needs = true
                break
            }
        }
        if !needs { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            let v = s.value
            if v < 0x20 {
                out.append(Unicode.Scalar(0x2400 + v)!)
            } else if v == 0x7F {
                out.append("\u{2421}")
            } else if (0x80...0x9F).contains(v) || (v >= 0x200B && CellWidth.isZeroWidth(v)) {
                out.append("\u{FFFD}")
            } else {
                out.append(s)
            }
        }
        return String(out)
    }
}
