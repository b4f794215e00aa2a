/// Request counts in one time bucket, by verb class and by code class.
public struct RateBucket: Sendable, Equatable {
    /// Start of the bucket, seconds since 1970.
    public var time: Int64
    public var total: Int32 = 0
    public var read: Int32 = 0
    public var write: Int32 = 0
    public var other: Int32 = 0
    /// Requests by `CodeClass`, indexed by its raw value.
    public var byCode: (Int32, Int32, Int32, Int32, Int32, Int32) = (0, 0, 0, 0, 0, 0)
    public var denied: Int32 = 0

    public init(time: Int64) { self.time = time }

    public static func == (a: RateBucket, b: RateBucket) -> Bool {
        a.time == b.time && a.total == b.total && a.read == b.read && a.write == b.write && a.other == b.other
            && a.denied == b.denied && a.codes == b.codes
    }

    /// Requests in one code class.
    public func count(_ c: CodeClass) -> Int32 {
        switch c {
        case .none: byCode.0
        case .informational: byCode.1
        case .success: byCode.2
        case .redirection: byCode.3
        case .clientError: byCode.4
        case .serverError: byCode.5
        }
    }

    /// Requests per code class, in `CodeClass` order.
    public var codes: [Int32] { CodeClass.allCases.map(count) }

    mutating func addCode(_ c: CodeClass, _ d: Int32) {
        switch c {
        case .none: byCode.0 += d
        case .informational: byCode.1 += d
        case .success: byCode.2 += d
        case .redirection: byCode.3 += d
        case .clientError: byCode.4 += d
        case .serverError: byCode.5 += d
        }
    }
}

/// Requests per time bucket over a sliding window of event time: per second for the last
/// 10 minutes, or per minute for the last 24 hours. Buckets are reused in a circle as event
/// time moves on; an event older than the window is not counted in it.
public struct RateSeries: Sendable {
    /// Seconds per bucket.
    public let width: Int64
    private var buckets: [RateBucket]
    /// The newest bucket start seen, in seconds.
    public private(set) var newest: Int64 = Int64.min

    /// A series of `count` buckets of `width` seconds.
    public init(width: Int64, count: Int) {
        self.width = width
        buckets = Array(repeating: RateBucket(time: Int64.min), count: count)
    }

    /// Per second, 10 minutes.
    public static func perSecond() -> RateSeries { RateSeries(width: 1, count: 600) }
    /// Per minute, 24 hours.
    public static func perMinute() -> RateSeries { RateSeries(width: 60, count: 1440) }

    private func start(_ micros: Int64) -> Int64 {
        let s = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        return s >= 0 ? s - s % width : s - ((s % width) + width) % width
    }

    /// Counts a new request at `micros`.
    mutating func addRequest(at micros: Int64, verb: VerbClass, code: CodeClass, denied: Bool) {
        guard let k = bucketIndex(micros, create: true) else { return }
        buckets[k].total += 1
        switch verb {
        case .read: buckets[k].read += 1
        case .write: buckets[k].write += 1
        case .other: buckets[k].other += 1
        }
        buckets[k].addCode(code, 1)
        if denied { buckets[k].denied += 1 }
    }

    /// Moves a request's outcome from one code class to another (a later stage arrived).
    mutating func changeOutcome(at micros: Int64, from old: CodeClass, _ oldDenied: Bool, to new: CodeClass, _ newDenied: Bool) {
        guard let k = bucketIndex(micros, create: false) else { return }
        buckets[k].addCode(old, -1)
        buckets[k].addCode(new, 1)
        buckets[k].denied += (newDenied ? 1 : 0) - (oldDenied ? 1 : 0)
    }

    private mutating func bucketIndex(_ micros: Int64, create: Bool) -> Int? {
        let t = start(micros)
        let n = Int64(buckets.count)
        if newest != Int64.min && t <= newest - n * width { return nil }  // older than the window
        let k = Int(((t / width) % n + n) % n)
        if buckets[k].time != t {
            guard create, buckets[k].time < t else { return nil }
            buckets[k] = RateBucket(time: t)
        }
        if t > newest { newest = t }
        return k
    }

    /// The buckets from `newest - (count-1)·width` to `newest`, oldest first; empty ones
    /// included, so the result is a regular series (empty before any event).
    public func series(last count: Int? = nil) -> [RateBucket] {
        guard newest != Int64.min else { return [] }
        let n = min(count ?? buckets.count, buckets.count)
        var out: [RateBucket] = []
        out.reserveCapacity(n)
        for j in stride(from: Int64(n - 1), through: 0, by: -1) {
            let t = newest - j * width
            let k = Int(((t / width) % Int64(buckets.count) + Int64(buckets.count)) % Int64(buckets.count))
            out.append(buckets[k].time == t ? buckets[k] : RateBucket(time: t))
        }
        return out
    }
}
