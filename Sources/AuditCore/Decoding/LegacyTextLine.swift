/// The apiserver's legacy audit text format, one event a line:
///
///     2017-02-15T10:48:30.120929683+01:00 AUDIT: id="…" stage="…" ip="…" method="get"
///     user="…" groups="\"a\",\"b\"" as="<self>" asgroups="<lookup>" user-agent="…"
///     namespace="…" uri="/api/v1/…" response="200"
///
/// Values are Go-quoted (`%q`). A line is rewritten as the equivalent v1 Event in JSON, so it
/// decodes, counts and shows in the detail view like any other event.
enum LegacyTextLine {
    /// The JSON Event for one legacy line, or nil when the line is not in that format.
    static func json(_ line: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let marker = Array(" AUDIT: ".utf8)
        guard line.count > marker.count + 20, let at = find(marker, in: line), at >= 20 else { return nil }
        let timestamp = String(decoding: UnsafeBufferPointer(rebasing: line[0..<at]), as: UTF8.self)
        guard Timestamp.parse(timestamp) != nil else { return nil }
        var fields: [String: String] = [:]
        var i = at + marker.count
        while i < line.count {
            while i < line.count && line[i] == 0x20 { i += 1 }
            let keyStart = i
            while i < line.count && line[i] != UInt8(ascii: "=") && line[i] != 0x20 { i += 1 }
            guard i < line.count, line[i] == UInt8(ascii: "="), i + 1 < line.count,
                line[i + 1] == UInt8(ascii: "\"")
            else { return nil }
            let key = String(decoding: UnsafeBufferPointer(rebasing: line[keyStart..<i]), as: UTF8.self)
            i += 1
            guard let (value, next) = GoQuoted.unquote(line, at: i) else { return nil }
            fields[key] = value
            i = next
        }
        guard let id = fields["id"], let method = fields["method"] else { return nil }
        return encode(timestamp: timestamp, id: id, verb: method, fields: fields)
    }

    private static func find(_ needle: [UInt8], in hay: UnsafeBufferPointer<UInt8>) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for s in 0...(hay.count - needle.count) where hay[s] == needle[0] {
            var k = 1
            while k < needle.count && hay[s + k] == needle[k] { k += 1 }
            if k == needle.count { return s }
        }
        return nil
    }

    private static func encode(timestamp: String, id: String, verb: String, fields: [String: String]) -> [UInt8] {
        var out: [UInt8] = []
        func member(_ key: String, _ value: String, comma: Bool = true) {
            if comma { out.append(UInt8(ascii: ",")) }
            JSONText.appendQuoted(key, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.appendQuoted(value, to: &out)
        }
        func raw(_ text: String) { out.append(contentsOf: Array(text.utf8)) }
        func stringArray(_ items: [String]) {
            raw("[")
            for (k, item) in items.enumerated() {
                if k > 0 { raw(",") }
                JSONText.appendQuoted(item, to: &out)
            }
            raw("]")
        }
        let response = fields["response"] ?? "<deferred>"
        let stage = fields["stage"] ?? (response == "<deferred>" ? "RequestReceived" : "ResponseComplete")
        raw("{")
        member("kind", "Event", comma: false)
        member("apiVersion", "audit.k8s.io/v1")
        member("level", "Metadata")
        member("auditID", id)
        member("stage", stage)
        let uri = fields["uri"] ?? ""
        member("requestURI", uri)
        member("verb", verb)
        raw(",\"user\":{")
        member("username", fields["user"] ?? "", comma: false)
        raw(",\"groups\":")
        stringArray(GoQuoted.list(fields["groups"] ?? ""))
        raw("}")
        if let who = fields["as"], who != "<self>" {
            raw(",\"impersonatedUser\":{")
            member("username", who, comma: false)
            if let groups = fields["asgroups"], groups != "<lookup>" {
                raw(",\"groups\":")
                stringArray(GoQuoted.list(groups))
            }
            raw("}")
        }
        if let ip = fields["ip"], ip != "<unknown>" {
            raw(",\"sourceIPs\":")
            stringArray([ip])
        }
        if let agent = fields["user-agent"] { member("userAgent", agent) }
        var ref = RequestPath(uri: uri)
        if let ns = fields["namespace"], ns != "<none>", !ns.isEmpty { ref.namespace = ns }
        if !ref.resource.isEmpty {
            raw(",\"objectRef\":{")
            member("resource", ref.resource, comma: false)
            if !ref.namespace.isEmpty { member("namespace", ref.namespace) }
            if !ref.name.isEmpty { member("name", ref.name) }
            if !ref.apiGroup.isEmpty { member("apiGroup", ref.apiGroup) }
            if !ref.apiVersion.isEmpty { member("apiVersion", ref.apiVersion) }
            if !ref.subresource.isEmpty { member("subresource", ref.subresource) }
            raw("}")
        }
        if let code = Int(response), (0...999).contains(code) { raw(",\"responseStatus\":{\"code\":\(code)}") }
        member("requestReceivedTimestamp", timestamp)
        member("stageTimestamp", timestamp)
        raw("}")
        return out
    }
}

/// Go's `%q` quoting, as the legacy audit format writes values.
enum GoQuoted {
    /// Reads the quoted string starting at `at` (a `"`); returns it and the index after it.
    static func unquote(_ s: UnsafeBufferPointer<UInt8>, at: Int) -> (String, Int)? {
        guard at < s.count, s[at] == UInt8(ascii: "\"") else { return nil }
        var out: [UInt8] = []
        var i = at + 1
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "\"") { return (String(decoding: out, as: UTF8.self), i + 1) }
            guard c == UInt8(ascii: "\\") else { out.append(c); i += 1; continue }
            guard i + 1 < s.count else { return nil }
            let e = s[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let n = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
                guard i + n <= s.count else { return nil }
                var v: UInt32 = 0
                for k in 0..<n {
                    guard let h = JSONCursor.hexValue(s[i + k]) else { return nil }
                    v = v << 4 | UInt32(h)
                }
                i += n
                if e == UInt8(ascii: "x") { out.append(UInt8(v)) } else {
                    JSONText.appendUTF8(Unicode.Scalar(v) ?? "\u{FFFD}", to: &out)
                }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                // Three octal digits; anything else is not Go's quoting (and must not wrap below).
                let octal = UInt8(ascii: "0")...UInt8(ascii: "7")
                guard i + 2 <= s.count, octal.contains(s[i]), octal.contains(s[i + 1]) else { return nil }
                let v = (UInt32(e) - 48) << 6 | (UInt32(s[i]) - 48) << 3 | (UInt32(s[i + 1]) - 48)
                out.append(UInt8(truncatingIfNeeded: v))
                i += 2
            default: out.append(e)
            }
        }
        return nil
    }

    /// Splits the `groups` value, a comma-joined list of quoted names.
    static func list(_ text: String) -> [String] {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buf in
            let b = UnsafeBufferPointer(buf)
            var items: [String] = []
            var i = 0
            while i < b.count {
                if b[i] == UInt8(ascii: "\""), let (item, next) = unquote(b, at: i) {
                    items.append(item)
                    i = next
                } else {
                    i += 1
                }
            }
            return items
        }
    }
}
