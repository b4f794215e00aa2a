/// RFC 3339 timestamps as microseconds since 1970-01-01T00:00:00Z.
public enum Timestamp {
    /// Parses `2023-06-12T13:30:25.756122Z`, `2017-09-11T19:55:05Z`,
    /// `2017-02-15T10:48:30.120929683+01:00` and the like; nil for anything else.
    ///
    /// Fractions beyond microseconds are truncated; a space may stand for the `T`.
    public static func parse(_ p: UnsafePointer<UInt8>, count n: Int) -> Int64? {
        guard n >= 20 else { return nil }
        // Digits as values 0-9, anything else 10 or more; `v + 6` is below 16 exactly for
        // digits, so one OR of all of them checks every position at once. The arithmetic
        // wraps: the values are bounded, and checked operations cost a branch each.
        @inline(__always) func d(_ k: Int) -> Int { Int(p[k] &- 0x30) }
        let y0 = d(0), y1 = d(1), y2 = d(2), y3 = d(3), mo0 = d(5), mo1 = d(6), d0 = d(8), d1 = d(9)
        let h0 = d(11), h1 = d(12), mi0 = d(14), mi1 = d(15), s0 = d(17), s1 = d(18)
        let digits = (y0 &+ 6) | (y1 &+ 6) | (y2 &+ 6) | (y3 &+ 6) | (mo0 &+ 6) | (mo1 &+ 6) | (d0 &+ 6) | (d1 &+ 6)
            | (h0 &+ 6) | (h1 &+ 6) | (mi0 &+ 6) | (mi1 &+ 6) | (s0 &+ 6) | (s1 &+ 6)
        let t = p[10]
        guard digits < 16,
            p[4] == 0x2D, p[7] == 0x2D, p[13] == 0x3A, p[16] == 0x3A,
            t == UInt8(ascii: "T") || t == UInt8(ascii: "t") || t == 0x20
        else { return nil }
        let year = y0 &* 1000 &+ y1 &* 100 &+ y2 &* 10 &+ y3
        let month = mo0 &* 10 &+ mo1
        let day = d0 &* 10 &+ d1
        let hour = h0 &* 10 &+ h1
        let minute = mi0 &* 10 &+ mi1
        let second = s0 &* 10 &+ s1
        guard month >= 1, month <= 12, day >= 1, day <= 31, hour < 24, minute < 60, second < 61 else { return nil }
        var k = 19
        var micros = 0
        if n == 27, p[19] == UInt8(ascii: "."), p[26] == UInt8(ascii: "Z") {
            // The apiserver's own form: six digits of microseconds, UTC.
            let f0 = d(20), f1 = d(21), f2 = d(22), f3 = d(23), f4 = d(24), f5 = d(25)
            guard ((f0 &+ 6) | (f1 &+ 6) | (f2 &+ 6) | (f3 &+ 6) | (f4 &+ 6) | (f5 &+ 6)) < 16 else { return nil }
            micros = ((((f0 &* 10 &+ f1) &* 10 &+ f2) &* 10 &+ f3) &* 10 &+ f4) &* 10 &+ f5
            k = 27
        } else {
            if p[k] == UInt8(ascii: ".") {
                k += 1
                let fracStart = k
                // Microseconds from the first six digits; later ones are below a microsecond.
                while k < n {
                    let v = d(k)
                    if v >= 10 { break }
                    if k &- fracStart < 6 { micros = micros &* 10 &+ v }
                    k += 1
                }
                if k == fracStart { return nil }
                for _ in min(k - fracStart, 6)..<6 { micros &*= 10 }
            }
            guard k < n else { return nil }
        }
        var offset = 0
        if k < n {
            switch p[k] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                k += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard k + 6 <= n, p[k + 3] == 0x3A else { return nil }
                let oh = d(k + 1) &* 10 &+ d(k + 2)
                let om = d(k + 4) &* 10 &+ d(k + 5)
                guard ((d(k + 1) &+ 6) | (d(k + 2) &+ 6) | (d(k + 4) &+ 6) | (d(k + 5) &+ 6)) < 16 else { return nil }
                offset = (oh &* 60 &+ om) &* 60 &* (p[k] == UInt8(ascii: "+") ? 1 : -1)
                k += 6
            default:
                return nil
            }
        }
        guard k == n else { return nil }
        let days = daysFromCivil(fourDigitYear: year, month: month, day: day)
        let seconds = Int64(days) &* 86_400 &+ Int64(hour &* 3600 &+ minute &* 60 &+ second &- offset)
        return seconds &* 1_000_000 &+ Int64(micros)
    }

    /// `daysFromCivil` for a year of 0 to 9999, in unsigned arithmetic: the year is moved
    /// 400 years (one era) later, so it is never negative, and the era taken back after.
    @inline(__always)
    static func daysFromCivil(fourDigitYear year: Int, month: Int, day: Int) -> Int {
        let y = UInt(bitPattern: year &+ 400 &- (month <= 2 ? 1 : 0))
        let era = y / 400
        let yoe = y &- era &* 400
        let mp = UInt(bitPattern: month > 2 ? month &- 3 : month &+ 9)
        let doy = (153 &* mp &+ 2) / 5 &+ UInt(bitPattern: day) &- 1
        let doe = yoe &* 365 &+ yoe / 4 &- yoe / 100 &+ doy
        return Int(bitPattern: era &* 146_097 &+ doe) &- 719_468 &- 146_097
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
        if (0...9999).contains(y) {
            // Written digit by digit into the string's own buffer: the screen formats
            // hundreds of times a frame.
            return String(unsafeUninitializedCapacity: 27) { b in
                func put(_ v: Int, _ at: Int, _ w: Int) {
                    var v = v
                    for k in stride(from: at + w - 1, through: at, by: -1) {
                        b[k] = UInt8(ascii: "0") + UInt8(v % 10)
                        v /= 10
                    }
                }
                put(y, 0, 4); b[4] = UInt8(ascii: "-"); put(m, 5, 2); b[7] = UInt8(ascii: "-"); put(d, 8, 2)
                b[10] = UInt8(ascii: "T"); put(secOfDay / 3600, 11, 2); b[13] = UInt8(ascii: ":")
                put(secOfDay / 60 % 60, 14, 2); b[16] = UInt8(ascii: ":"); put(secOfDay % 60, 17, 2)
                b[19] = UInt8(ascii: "."); put(frac, 20, 6); b[26] = UInt8(ascii: "Z")
                return 27
            }
        }
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

/// The minute of the last timestamp read in the apiserver's own form, so that the next one
/// of the same minute is read from its seconds alone: a log's timestamps come in order, and
/// most share their minute with the one before. Each decoding owner keeps one
/// (`TimestampMemoCell`); it is used by one thread at a time.
public struct TimestampMemo: Sendable {
    /// Bytes 0..<16 of that timestamp (`2026-12-04T20:01`), as two words.
    var head0: UInt64 = 0
    var head1: UInt64 = 0
    /// Microseconds at the start of that minute.
    var minute: Int64 = 0
    var valid = false

    public init() {}
}

/// A `TimestampMemo` at a fixed address, for the decoder's cursor to point to.
public final class TimestampMemoCell {
    public let pointer: UnsafeMutablePointer<TimestampMemo>

    public init() {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: TimestampMemo())
    }

    deinit {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}

extension Timestamp {
    /// `parse(_:count:)`, reading a timestamp of the apiserver's form
    /// (`2026-12-04T20:01:37.123456Z`) whose first 16 bytes are the memo's from its seconds
    /// and microseconds alone; the memo then holds this one's minute.
    @inline(__always)
    static func parse(_ p: UnsafePointer<UInt8>, count n: Int, memo: inout TimestampMemo) -> Int64? {
        guard n == 27, p[16] == 0x3A, p[19] == UInt8(ascii: "."), p[26] == UInt8(ascii: "Z") else { return parse(p, count: n) }
        let raw = UnsafeRawPointer(p)
        let head0 = raw.loadUnaligned(as: UInt64.self)
        let head1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        @inline(__always) func d(_ k: Int) -> Int { Int(p[k] &- 0x30) }
        let s0 = d(17), s1 = d(18), f0 = d(20), f1 = d(21), f2 = d(22), f3 = d(23), f4 = d(24), f5 = d(25)
        let digits = (s0 &+ 6) | (s1 &+ 6) | (f0 &+ 6) | (f1 &+ 6) | (f2 &+ 6) | (f3 &+ 6) | (f4 &+ 6) | (f5 &+ 6)
        let second = s0 &* 10 &+ s1
        let micros = ((((f0 &* 10 &+ f1) &* 10 &+ f2) &* 10 &+ f3) &* 10 &+ f4) &* 10 &+ f5
        if memo.valid, head0 == memo.head0, head1 == memo.head1 {
            guard digits < 16, second < 61 else { return nil }
            return memo.minute &+ Int64(second) &* 1_000_000 &+ Int64(micros)
        }
        guard let t = parse(p, count: n) else { return nil }
        memo.head0 = head0
        memo.head1 = head1
        memo.minute = t &- Int64(second) &* 1_000_000 &- Int64(micros)
        memo.valid = true
        return t
    }
}
