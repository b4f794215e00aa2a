/// The progress line of a long load: bytes, percent, rate and time left.
public struct LoadProgress: Sendable {
    public let total: Int

    public init(total: Int) { self.total = total }

    /// `reading audit.log  512 MB of 1.2 GB  42%  310 MB/s  ETA 2 s`
    public func line(file: String, done: Int, seconds: Double) -> String {
        let percent = total > 0 ? min(100, done * 100 / total) : 0
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 ? Double(max(total - done, 0)) / rate : 0
        return "reading \(file)  \(LoadProgress.size(done)) of \(LoadProgress.size(total))  \(percent)%  \(LoadProgress.size(Int(rate)))/s  ETA \(Int(eta.rounded())) s"
    }

    /// Bytes in B, kB, MB or GB (powers of 1000), one decimal below 10.
    public static func size(_ bytes: Int) -> String {
        let units: [(Double, String)] = [(1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
        for (scale, unit) in units where Double(bytes) >= scale {
            let v = Double(bytes) / scale
            return v < 10 ? "\((v * 10).rounded() / 10) \(unit)" : "\(Int(v.rounded())) \(unit)"
        }
        return "\(bytes) B"
    }
}
