/// The shapes of names Kubernetes generates: ReplicaSet and pod hash suffixes, event names,
/// and the query strings of lists and watches.
enum Names {
    /// The alphabet of `generateName` suffixes and pod-template hashes (no vowels, no 0/1/3).
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    /// `n` characters of the generated-name alphabet: `x2kqp`, `7c9d8f6b5`.
    static func suffix(_ n: Int, _ rng: inout SplitMix) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(n)
        for _ in 0..<n { bytes.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A pod-template hash as the deployment controller writes it (9 or 10 characters).
    static func templateHash(_ rng: inout SplitMix) -> String { suffix(rng.next() % 4 == 0 ? 9 : 10, &rng) }

    /// An event's name: the object's name, a dot, and the event's creation time in
    /// nanoseconds as hex (`web-7c9d8f6b5-x2kqp.17a3f0c2b1d4e5f6`); `sequence` (a count of
    /// events so far) keeps two events of one object in one microsecond apart.
    static func event(for object: String, at micros: Int64, sequence: Int) -> String {
        let nanos = UInt64(micros) &* 1000 &+ UInt64(sequence % 1000)
        return object + "." + String(nanos, radix: 16)
    }

    /// A watch's query: `?allowWatchBookmarks=true&resourceVersion=N&timeout=7m9s&timeoutSeconds=429&watch=true`,
    /// with a field selector before the version when given.
    static func watchQuery(resourceVersion: Int, timeout seconds: Int, fieldSelector: String = "") -> String {
        let selector = fieldSelector.isEmpty ? "" : "&fieldSelector=" + fieldSelector
        return "?allowWatchBookmarks=true\(selector)&resourceVersion=\(resourceVersion)&timeout=\(seconds / 60)m\(seconds % 60)s&timeoutSeconds=\(seconds)&watch=true"
    }

    /// An informer's initial list: `?limit=500&resourceVersion=0`.
    static let initialList = "?limit=500&resourceVersion=0"
}
