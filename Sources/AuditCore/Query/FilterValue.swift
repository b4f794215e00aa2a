import Foundation

/// Reads the values of terms: numbers, durations, times, globs and regular expressions.
public enum FilterValue {
    /// A time as people type it: absolute, a clock time on the reference's day, or an offset
    /// from the reference. Filters, `--since`/`--until` and the replay's go-to all read it.
    public enum TimeValue: Sendable, Equatable {
        case absolute(Int64)
        /// Seconds since midnight UTC.
        case clock(Int64)
        /// Microseconds from the reference time (`-5m` is negative, `+5m` positive).
        case offset(Int64)

        /// Microseconds since 1970, with `reference` as "now" (the feed's newest event).
        public func resolve(reference: Int64) -> Int64 {
            switch self {
            case .absolute(let t): return t
            case .offset(let d):
                // Saturating: an offset of a hundred million days must not overflow.
                let (sum, overflow) = reference.addingReportingOverflow(d)
                return overflow ? (d < 0 ? .min : .max) : sum
            case .clock(let s):
                let day = reference - ((reference % 86_400_000_000) + 86_400_000_000) % 86_400_000_000
                return day + s * 1_000_000
            }
        }
    }

    /// Checks a term's value when it is parsed, so mistakes point at their column.
    static func check(_ term: Filter.Term) throws(Filter.ParseError) {
        func fail(_ message: String) -> Filter.ParseError { Filter.ParseError(column: term.column, message: message) }
        if term.op == .regex {
            do { _ = try NSRegularExpression(pattern: term.value) } catch {
                throw fail("'\(term.value)' is not a valid regular expression")
            }
            return
        }
        switch term.field {
        case .code where term.op.isOrdering:
            guard Int(term.value) != nil else { throw fail("expected a status code (a number) after '\(term.op.rawValue)'") }
        case .latency:
            guard term.op.isOrdering else { throw fail("latency is compared with <, <=, > or >= (latency>1s)") }
            guard duration(term.value) != nil else { throw fail("expected a duration like 250ms, 2s or 1m") }
        case .time:
            guard term.op.isOrdering else { throw fail("time is compared with <, <=, > or >= (time>=14:32)") }
            guard time(term.value) != nil else { throw fail("expected a time: 14:32, an RFC 3339 time or -5m") }
        default:
            if term.value.split(separator: ",", omittingEmptySubsequences: false).contains(where: \.isEmpty), term.op != .regex {
                throw fail("a comma list needs a value on each side of every comma")
            }
        }
    }

    /// Microseconds of `250ms`, `2s`, `1.5m`, `1h`, `7d`, or a bare number of seconds; nil for
    /// one too long to count in microseconds (or `inf`).
    public static func duration(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("us", 1), ("µs", 1), ("ms", 1_000), ("s", 1_000_000), ("m", 60_000_000), ("h", 3_600_000_000), ("d", 86_400_000_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let v = Double(text.dropLast(suffix.count)), v >= 0 else { return nil }
            return Int64(exactly: (v * scale).rounded(.towardZero))
        }
        guard let v = Double(text), v >= 0 else { return nil }
        return Int64(exactly: (v * 1_000_000).rounded(.towardZero))
    }

    /// `14:32`, `14:32:05`, an RFC 3339 time, or `-5m` / `+2h` from the reference.
    public static func time(_ text: String) -> TimeValue? {
        if let t = Timestamp.parse(text) { return .absolute(t) }
        if let sign = text.first, sign == "-" || sign == "+", text.count > 1, let d = duration(String(text.dropFirst())) {
            return .offset(sign == "-" ? -d : d)
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h),
            (0..<60).contains(m)
        else { return nil }
        let s = parts.count == 3 ? Int(parts[2]) : 0
        guard let s, (0..<60).contains(s) else { return nil }
        return .clock(Int64(h * 3600 + m * 60 + s))
    }

    /// True when `text` matches the glob `pattern` (`*` any run, `?` one character); a
    /// pattern without wildcards is compared as is.
    public static func glob(_ pattern: Substring, _ text: Substring) -> Bool {
        guard pattern.contains(where: { $0 == "*" || $0 == "?" }) else { return pattern == text }
        return Glob.matches(String(pattern), String(text))
    }
}
