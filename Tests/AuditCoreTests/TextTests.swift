import Foundation
@testable import AuditCore
import Testing

@Suite struct TextTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("red\u{1B}[31mtext\u{1B}[0m", "redtext"),
        ("title\u{1B}]0;pwned\u{07}after", "titleafter"),
        ("osc\u{1B}]8;;http://x\u{1B}\\link", "osclink"),
        ("bell\u{07}nul\u{0}del\u{7F}c1\u{9B}31m", "bellnuldelc131m"),
        ("multi\nline\ttab", "multi line tab"),
        ("bidi\u{202E}txt.exe", "biditxt.exe"),
        ("ünïcødé 日本", "ünïcødé 日本"),
    ])
    func sanitizingRemovesControlsAndEscapeSequences(_ input: String, _ expected: String) {
        #expect(TerminalText.sanitize(input) == expected)
    }

    @Test(arguments: [
        ("2023-06-12T13:30:25.756122Z", Int64(1_686_576_625_756_122)),
        ("2017-09-11T19:55:05Z", Int64(1_505_159_705_000_000)),
        ("2017-02-15T10:48:30.120929683+01:00", Int64(1_487_152_110_120_929)),
        ("1969-12-31T23:59:59.5Z", Int64(-500_000)),
        ("2023-06-12T13:30:25.007Z", Int64(1_686_576_625_007_000)),
    ])
    func timestampsParseAndFormat(_ text: String, _ micros: Int64) {
        #expect(Timestamp.parse(text) == micros)
        #expect(Timestamp.parse(Timestamp.format(micros)) == micros)
    }

    /// The format is RFC 3339 with six fractional digits, as Foundation writes it, across
    /// four centuries (leap days and years, the epoch, the end of a day) and past 9999.
    @Test func timestampsFormatAsFoundationDoes() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        var x: UInt64 = 0x2545_F491_4F6C_DD1D
        var samples: [Int64] = [0, -1, 951_782_400_000_000, 951_868_799_999_999, 4_107_542_399_999_999, 253_402_300_799_999_999]
        for _ in 0..<2_000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            samples.append(Int64(x % 16_000_000_000_000_000) - 2_000_000_000_000_000)
        }
        for micros in samples {
            let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
            let fraction = micros - seconds * 1_000_000
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
                + "." + String(String(fraction + 1_000_000).dropFirst()) + "Z"
            #expect(Timestamp.format(micros) == expected, "\(micros)")
            #expect(Timestamp.parse(Timestamp.format(micros)) == micros)
        }
        #expect(Timestamp.format(253_402_300_800_000_000) == "10000-01-01T00:00:00.000000Z")
    }

    @Test(arguments: ["", "2023-06-12", "2023-13-12T13:30:25Z", "2023-06-12T13:30:25", "2023-06-12T13:30:25.Z", "garbage-garbage-garbage"])
    func badTimestampsAreRejected(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func internedStringsRoundTripAndShareIds() {
        let interner = StringInterner()
        var ids: [UInt32] = []
        for k in 0..<5000 { ids.append(interner.intern("user-\(k)")) }
        for k in 0..<5000 {
            #expect(interner.intern("user-\(k)") == ids[k])
            #expect(interner.string(ids[k]) == "user-\(k)")
        }
        #expect(interner.intern("") == 0)
        #expect(interner.lookup("nobody") == nil)
        #expect(interner.count == 5001)
    }

    @Test func escapedAndPlainSpellingsInternToTheSameString() {
        let store = Fixture.store(
            Fixture.event(id: Fixture.id(1), user: "a\\u0062c") + "\n" + Fixture.event(id: Fixture.id(2), user: "abc") + "\n"
                + Fixture.event(id: Fixture.id(3), user: "a\\u0062c"))
        #expect(store.requests(of: "abc") == 3)
    }

    @Test func requestPathsNameTheirObjects() {
        let p = RequestPath(uri: "/apis/apps/v1/namespaces/shop/deployments/api/scale?x=1")
        #expect(p.apiGroup == "apps" && p.namespace == "shop" && p.resource == "deployments" && p.name == "api" && p.subresource == "scale")
        let ns = RequestPath(uri: "/api/v1/namespaces/kube-system")
        #expect(ns.resource == "namespaces" && ns.name == "kube-system" && ns.namespace == "")
        #expect(RequestPath(uri: "/healthz").resource == "")
    }
}

@Suite struct TimestampEdgeTests {
    /// The unsigned day count gives the reference algorithm's for every year it takes,
    /// both sides of each leap day and month end.
    @Test func theFourDigitYearDayCountIsTheReferences() {
        for year in 0...9999 {
            for month in 1...12 {
                for day in [1, 15, 28, 29, 30, 31] {
                    #expect(Timestamp.daysFromCivil(fourDigitYear: year, month: month, day: day) == Timestamp.daysFromCivil(year: year, month: month, day: day),
                            "\(year)-\(month)-\(day)")
                }
            }
        }
    }

    /// The apiserver's form (six digits, Z) takes a shorter path than other spellings of
    /// the same instant; both give the same microseconds, and a bad digit fails either way.
    @Test func theApiserversFormParsesAsItsOtherSpellingsDo() {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            let micros = Int64(x % 253_402_300_800_000_000)
            let text = Timestamp.format(micros)
            #expect(text.count == 27 && text.hasSuffix("Z"))
            let base = String(text.dropLast())
            #expect(Timestamp.parse(text) == micros, "\(text)")
            #expect(Timestamp.parse(base + "+00:00") == micros, "\(text)")
            #expect(Timestamp.parse(base + "000Z") == micros, "\(text)")
        }
        #expect(Timestamp.parse("2023-06-12T13:30:25.75612xZ") == nil)
        #expect(Timestamp.parse("2023-06-12T13:30:25,756122Z") == nil)
        #expect(Timestamp.parse("2023-06-12T13:30:25.756122z") == Timestamp.parse("2023-06-12T13:30:25.756122Z"))
    }

    /// The decoder reads a timestamp of the minute before from its seconds alone. Over a
    /// log's worth of them (in order, across minutes, days and years, the leap second, bad
    /// seconds and other spellings in between) it gives what a full parse gives.
    @Test func aTimestampOfTheSameMinuteParsesAsAFullParseDoes() {
        var memo = TimestampMemo()
        var texts: [String] = []
        var t: Int64 = 1_767_225_540_000_000  // 2025-12-31T23:59:00Z
        var x: UInt64 = 0x2545_F491_4F6C_DD1D
        for k in 0..<5_000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            t += Int64(x % 900_000)  // under a second apart: many to a minute
            if k % 997 == 0 { t += 86_400_000_000 * Int64(x % 400) }  // a jump of days
            let text = Timestamp.format(t)
            texts.append(text)
            switch k % 50 {
            case 7: texts.append(String(text.prefix(17)) + "60" + String(text.dropFirst(19)))  // a leap second
            case 13: texts.append(String(text.prefix(17)) + "6x" + String(text.dropFirst(19)))
            case 19: texts.append(String(text.prefix(17)) + "61" + String(text.dropFirst(19)))
            case 23: texts.append(String(text.prefix(20)) + "12345?Z")
            case 29: texts.append(String(text.dropLast()) + "+00:00")
            case 31: texts.append(String(text.prefix(10)) + " " + String(text.dropFirst(11)))
            default: break
            }
        }
        var fromMemo = 0
        for text in texts {
            var bytes = Array(text.utf8)
            let want = Timestamp.parse(text)
            let got = bytes.withUnsafeMutableBufferPointer { b in
                let before = memo
                defer { if before.valid, before.head0 == memo.head0, before.head1 == memo.head1 { fromMemo += 1 } }
                return Timestamp.parse(b.baseAddress!, count: b.count, memo: &memo)
            }
            #expect(got == want, "\(text)")
        }
        // Most were read from the memo.
        #expect(fromMemo > texts.count / 2)
    }

    @Test(arguments: ["2023-06-1:T13:30:25Z", "2023-06-12T1?:30:25Z", "2023-06-12T13:30:25+0:;00", "2023-06-12T13:30:25+01:00x"])
    func nonDigitsInAnyPositionAreRejected(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}
