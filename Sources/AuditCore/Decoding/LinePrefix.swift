/// What precedes the JSON on each line of a source, decided once from its first line.
///
/// - `cri`: the container runtime's log format, as kubelet writes `/var/log/pods/...`:
///   `TIME stdout|stderr F|P CONTENT`, where `P` marks a line the runtime split (at 16 KiB)
///   and the following pieces up to an `F` complete it.
/// - `leading`: anything else that starts each line before the event: a timestamp
///   (`kubectl logs --timestamps`, `aws logs tail`, CloudWatch's export to S3), a stream name
///   after it (`aws logs tail` without `--format short`), or a syslog or journald header
///   (`Dec  3 14:00:00 host kube-apiserver[7]: {...}`).
/// - `none`: plain lines (JSON or the legacy text format).
///
/// On a prefixed source, the apiserver's own log lines (klog: `I1203 14:00:00.000 ...`) and
/// the runtime's `stderr` lines that hold no JSON are not events and are passed over without
/// being counted as malformed: they are what an apiserver's stdout carries beside its events.
public enum LinePrefix: Sendable, Equatable {
    case none, cri, leading

    /// The longest prefix searched for the opening brace of the event.
    static let maxPrefix = 512

    /// The prefix kind of a source whose first non-blank line is `line`.
    static func detect(_ line: UnsafeBufferPointer<UInt8>) -> LinePrefix {
        guard let first = line.first, first != UInt8(ascii: "{"), first != UInt8(ascii: "[") else { return .none }
        if cri(line) != nil { return .cri }
        if let t = timestampEnd(line) {
            // The legacy text format also opens with a timestamp, then `AUDIT:`.
            return startsWith(line, at: t + 1, "AUDIT: ") ? .none : .leading
        }
        if syslogHeader(line) || payloadStart(line) != nil { return .leading }
        return .none
    }

    /// A CRI line's parts: whether it is `stderr`, whether it is a partial piece (`P`), and
    /// where its content starts.
    static func cri(_ line: UnsafeBufferPointer<UInt8>) -> (stderr: Bool, partial: Bool, content: Int)? {
        guard let t = timestampEnd(line) else { return nil }
        var k = t + 1
        let stderr: Bool
        if startsWith(line, at: k, "stdout ") {
            stderr = false
        } else if startsWith(line, at: k, "stderr ") {
            stderr = true
        } else {
            return nil
        }
        k += 7
        guard k < line.count, line[k] == UInt8(ascii: "F") || line[k] == UInt8(ascii: "P") else { return nil }
        let partial = line[k] == UInt8(ascii: "P")
        k += 1
        if k == line.count { return (stderr, partial, k) }
        guard line[k] == 0x20 else { return nil }
        return (stderr, partial, k + 1)
    }

    /// Where the event starts on a `leading` line: the first `{` after a space, tab or colon
    /// within the first `maxPrefix` bytes, before any quote (so a line of JSON or of the
    /// legacy format is never cut).
    static func payloadStart(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        let limit = min(line.count, maxPrefix)
        var k = 1
        while k < limit {
            let c = line[k]
            if c == UInt8(ascii: "\"") { return nil }
            if c == UInt8(ascii: "{") {
                let before = line[k - 1]
                if before == 0x20 || before == 0x09 || before == UInt8(ascii: ":") { return k }
            }
            k += 1
        }
        return nil
    }

    /// True when `line` (from `from`) is a klog header: `I1203 14:00:00.123456 ...` (severity
    /// letter, month and day, time), the apiserver's own log.
    static func isKlog(_ line: UnsafeBufferPointer<UInt8>, from: Int) -> Bool {
        var k = from
        while k < line.count && line[k] == 0x20 { k += 1 }
        guard k + 14 <= line.count else { return false }
        let severity = line[k]
        guard severity == UInt8(ascii: "I") || severity == UInt8(ascii: "W") || severity == UInt8(ascii: "E")
            || severity == UInt8(ascii: "F")
        else { return false }
        for j in 1...4 where !isDigit(line[k + j]) { return false }
        return line[k + 5] == 0x20 && isDigit(line[k + 6]) && isDigit(line[k + 7]) && line[k + 8] == UInt8(ascii: ":")
    }

    /// The index of the space ending an RFC 3339 timestamp that opens `line`
    /// (`2026-12-03T14:00:00.123456789Z`, `+00:00` offsets), or nil.
    static func timestampEnd(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        guard line.count > 20 else { return nil }
        for j in [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15] where !isDigit(line[j]) { return nil }
        guard line[4] == UInt8(ascii: "-"), line[7] == UInt8(ascii: "-"),
            line[10] == UInt8(ascii: "T") || line[10] == 0x20, line[13] == UInt8(ascii: ":")
        else { return nil }
        var k = 16
        // A date with a space before the time (`2026-12-03 14:00:00`) has its space at 10.
        while k < min(line.count, 48) {
            let c = line[k]
            if c == 0x20 { return k }
            guard isDigit(c) || c == UInt8(ascii: ":") || c == UInt8(ascii: ".") || c == UInt8(ascii: "Z")
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ",")
            else { return nil }
            k += 1
        }
        return nil
    }

    /// True when `line` opens with a BSD syslog header's date: `Dec  3 14:00:00 `.
    static func syslogHeader(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard line.count > 16 else { return false }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard months.contains(where: { startsWith(line, at: 0, $0 + " ") }) else { return false }
        return (line[4] == 0x20 || isDigit(line[4])) && isDigit(line[5]) && line[6] == 0x20
            && isDigit(line[7]) && isDigit(line[8]) && line[9] == UInt8(ascii: ":")
    }

    static func startsWith(_ line: UnsafeBufferPointer<UInt8>, at k: Int, _ text: String) -> Bool {
        var j = k
        for b in text.utf8 {
            guard j < line.count, line[j] == b else { return false }
            j += 1
        }
        return true
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}

extension LinePrefix {
    /// Just past the `: ` that ends a syslog or journald tag (`kube-apiserver[7]: `) within
    /// the first `maxPrefix` bytes, or nil.
    static func tagEnd(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        let limit = min(line.count, maxPrefix) - 1
        var k = 0
        while k < limit {
            if line[k] == UInt8(ascii: ":") && line[k + 1] == 0x20 && k > 0 && line[k - 1] == UInt8(ascii: "]") { return k + 2 }
            k += 1
        }
        return nil
    }
}
