/// Builds one audit event as a compact JSON line, field by field, in the apiserver's order.
struct EventWriter {
    var out: [UInt8] = []

    init() { out.reserveCapacity(4096) }

    mutating func raw(_ s: String) { out.append(contentsOf: s.utf8) }

    /// A JSON string; the simulator's strings need escaping only for quotes and backslashes.
    mutating func quoted(_ s: String) {
        out.append(UInt8(ascii: "\""))
        for u in s.utf8 {
            if u == UInt8(ascii: "\"") || u == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(u)
        }
        out.append(UInt8(ascii: "\""))
    }

    mutating func field(_ key: String, _ value: String, first: Bool = false) {
        if !first { out.append(UInt8(ascii: ",")) }
        quoted(key)
        out.append(UInt8(ascii: ":"))
        quoted(value)
    }

    mutating func key(_ key: String) {
        out.append(UInt8(ascii: ","))
        quoted(key)
        out.append(UInt8(ascii: ":"))
    }

    mutating func strings(_ items: [String]) {
        out.append(UInt8(ascii: "["))
        for (k, s) in items.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            quoted(s)
        }
        out.append(UInt8(ascii: "]"))
    }
}
