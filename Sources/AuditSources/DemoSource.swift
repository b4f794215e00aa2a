#if canImport(Glibc)
import Glibc
#endif
import AuditCore
import AuditSimulator

/// The built-in simulator, live: events at `rate` per second of wall time, with the
/// incident starting after a minute and recurring every few minutes.
public final class DemoSource: LiveSource {
    public let name = "demo"
    let rate: Double
    let seed: UInt64
    let flavor: Flavor
    private let status = SourceState("simulating")

    public var state: String { status.current }

    /// - Parameter flavor: the platform the simulated cluster runs on.
    public init(rate: Double = 300, seed: UInt64 = 1, flavor: Flavor = .kubeadm) {
        self.rate = rate
        self.seed = seed
        self.flavor = flavor
    }

    public func run(into store: SharedEventStore, stop: StopSignal) {
        let source = store.withStore { $0.addSource(name) }
        let start = DemoSource.now()
        var simulator = Simulator(seed: seed, rate: rate, flavor: flavor, start: start, incidentAfter: 60_000_000, incidentEvery: 240_000_000)
        var framer = StreamDecoder()
        var pending = simulator.next()
        var batch: [UInt8] = []
        while !stop.isSet {
            let now = DemoSource.now()
            batch.removeAll(keepingCapacity: true)
            // Release everything whose event time has come (bounded, so a stall cannot flood).
            var released = 0
            while pending.time <= now && released < 20_000 {
                batch.append(contentsOf: pending.line)
                pending = simulator.next()
                released += 1
            }
            if !batch.isEmpty {
                batch.withUnsafeBufferPointer { chunk in
                    store.withStore { s in
                        s.currentSource = source
                        framer.feed(chunk, to: s)
                    }
                }
            }
            pause(milliseconds: 50, unless: stop)
        }
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}
