/// The replay's clock: where in event time the replay is, how fast it moves, and whether it
/// is paused. Wall time is passed in, so tests drive it without sleeping.
public struct ReplayClock: Sendable, Equatable {
    /// Event time reached, microseconds; events up to it have been released.
    public private(set) var position: Int64
    /// Event-time seconds per wall second; nil means as fast as possible (`max`).
    public var speed: Double?
    public var paused = false

    /// Starts at `start` (the first event's time) at `speed`.
    public init(start: Int64, speed: Double?) {
        position = start
        self.speed = speed
    }

    /// Moves the clock on by `wallSeconds` of real time (nothing while paused; to the end of
    /// time at `max` speed).
    public mutating func advance(wallSeconds: Double) {
        guard !paused else { return }
        guard let speed else {
            position = Int64.max
            return
        }
        position += Int64(wallSeconds * speed * 1_000_000)
    }

    /// Jumps to `time`.
    public mutating func seek(to time: Int64) { position = time }

    /// Twice as fast (`+`), or half as fast (`-`), between 1/16x and 1024x.
    public mutating func faster() { speed = min((speed ?? 1024) * 2, 1024) }
    public mutating func slower() { speed = max((speed ?? 1024) / 2, 1.0 / 16) }

    /// `10x`, `1x`, `0.5x` or `max`.
    public var speedText: String {
        guard let speed else { return "max" }
        return speed >= 1 ? "\(Int(speed))x" : "\(speed)x"
    }

    /// Parses `1x`, `10x`, `0.5`, `max`.
    public static func parseSpeed(_ text: String) -> Double?? {
        if text == "max" { return .some(nil) }
        let number = text.hasSuffix("x") ? String(text.dropLast()) : text
        guard let v = Double(number), v > 0 else { return nil }
        return .some(v)
    }
}
