/// RFC 3339 timestamps as microseconds since 1970-01-01T00:00:00Z.
public enum Timestamp {
    /// Parses `2023-06-12T13:30:25.756122Z`, `2017-09-11T19:55:05Z`,
    /// `2017-02-15T10:48:30.120929683+01:00` and the like; nil for anything else.
    ///
    /// Fractions beyond microseconds are truncated; a space may stand for the `T`.
    public static func parse(_ p: UnsafePointer<UInt8>, count n: Int) -> Int64? {
        guard n >= 20 else { return nil }
        func digit(_ k: Int) -> Int? {
            let c = p[k]
            return c >= 0x30 && c <= 0x39 ? Int(c - 0x30) : nil
        }
        func number(_ k: Int, _ len: Int) -> Int? {
            var v = 0
            for j in k..<(k + len) {
                guard let d = digit(j) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard let year = number(0, 4), p[4] == 0x2D, let month = number(5, 2), p[7] == 0x2D,
            let day = number(8, 2), p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: "t") || p[10] == 0x20,
            let hour = number(11, 2), p[13] == 0x3A, let minute = number(14, 2), p[16] == 0x3A,
            let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var k = 19
        var micros = 0
        if k < n && p[k] == UInt8(ascii: ".") {
            k += 1
            var scale = 100_000
            let fracStart = k
            while k < n, let d = digit(k) {
                micros += d * scale
                scale /= 10
                k += 1
            }
            if k == fracStart { return nil }
        }
        guard k < n else { return nil }
        var offset = 0
        switch p[k] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            k += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard k + 6 <= n, let oh = number(k + 1, 2), p[k + 3] == 0x3A, let om = number(k + 4, 2) else { return nil }
            offset = (oh * 60 + om) * 60 * (p[k] == UInt8(ascii: "+") ? 1 : -1)
            k += 6
        default:
            return nil
        }
        guard k == n else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        return seconds * 1_000_000 + Int64(micros)
    }

    /// Parses a Swift string; see `parse(_:count:)`.
    public static func parse(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { parse($0.baseAddress!, count: $0.count) }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Formats microseconds since 1970 as RFC 3339 UTC with microseconds
    /// (`2023-06-12T13:30:25.756122Z`), the form the apiserver writes.
    public static func format(_ micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let frac = Int(micros - seconds * 1_000_000)
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secOfDay = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = civilFromDays(days)
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2)).\(pad(frac, 6))Z"
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
