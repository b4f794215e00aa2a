import AuditCore
import AuditDashboard
import AuditSimulator
import Foundation

/// `audittop-bench --query`: the cost of asking questions. Applying a new filter to a full
/// default ring and drawing the screen (the aim is under 50 ms), counting matches as the
/// prompt does, and what the built-in rules add to ingest (the aim is under 10%).
enum QueryBench {
    static let filters = [
        "user=*@example.com verb=delete,patch ns!=kube-system code>=400",
        "verb=get",
        "secrets",
        "resource=pods/exec or alert=\"Attach/Exec Pod\"",
        "user~^system:serviceaccount:(kube-system|monitoring): latency>10ms",
        "-user=system:* time>=-5m",
        "code>=400",
    ]

    static func run(runs: Int) throws {
        let capacity = StoreConfiguration().capacity
        print("filling the default ring (\(capacity) events)...")
        var sim = Simulator(seed: 7, incidentAfter: 120_000_000)
        var log: [UInt8] = []
        for _ in 0..<capacity { log.append(contentsOf: sim.next().line) }
        let store = EventStore()
        ingest(log, into: store)
        var info = StatusInfo()
        info.sources = [("bench", "following")]
        print("")
        print("filter                                                              matching   apply+draw median   max   count median")
        for text in filters {
            let filter = try Filter.parse(text)
            var apply: [Double] = []
            var count: [Double] = []
            var matching = 0
            for _ in 0..<max(runs, 5) {
                store.setFilter(.all)
                let t0 = DispatchTime.now().uptimeNanoseconds
                store.setFilter(filter)
                var state = DashboardState()
                state.setFilter(filter)
                let model = DashboardModel(store: store, streamRows: 500, topRows: 50)
                let grid = DashboardScreen.render(width: 200, height: 60, model: model, state: state, status: info)
                let t1 = DispatchTime.now().uptimeNanoseconds
                precondition(grid.width == 200)
                matching = model.matchingEvents ?? 0
                apply.append(Double(t1 - t0) / 1e6)
                // What the prompt does on each key: a fresh matcher over the whole ring.
                let t2 = DispatchTime.now().uptimeNanoseconds
                let n = FilterMatcher(filter, reference: store.stats.lastTime ?? 0).count(in: store)
                precondition(n == matching)
                count.append(Double(DispatchTime.now().uptimeNanoseconds - t2) / 1e6)
            }
            apply.sort()
            count.sort()
            let name = text.count > 66 ? String(text.prefix(65)) + "…" : text
            print(name.padding(toLength: 67, withPad: " ", startingAt: 0)
                + String(format: "%9d   %14.1f ms %5.1f ms %9.1f ms", matching, apply[apply.count / 2], apply.last!, count[count.count / 2]))
        }
        store.setFilter(.all)

        // Rules: ingest the same events into fresh stores with the rules off, on, and on while
        // learning baselines (the live default, 10 minutes: the whole log here), in turn.
        print("\ningesting \(capacity) events from memory: rules off, on without the identity rules, on, and on while learning (\(max(runs, 5) * 2) runs each, in turn)...")
        enum Mode: CaseIterable { case off, withoutIdentity, on, learning }
        var times: [[Double]] = [[], [], [], []]
        var fired = [0, 0, 0, 0]
        for run in 0..<max(runs, 5) * 2 {
            // Rotate which goes first, so none always meets a warmer machine.
            let order = Mode.allCases.indices.map { Mode.allCases[($0 + run) % Mode.allCases.count] }
            for mode in order {
                var configuration = StoreConfiguration()
                if mode == .off { configuration.rules = .none }
                if mode == .withoutIdentity { configuration.rules.disabled = Set(BuiltinRule.identityRules.map(\.name)) }
                if mode == .learning { configuration.learn = 600_000_000 }
                let s = EventStore(configuration: configuration)
                let t0 = DispatchTime.now().uptimeNanoseconds
                ingest(log, into: s)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                let k = Mode.allCases.firstIndex(of: mode)!
                times[k].append(seconds)
                fired[k] = s.rules?.firings ?? 0
            }
        }
        let medians = times.map { $0.sorted()[$0.count / 2] }
        let off = medians[0]
        for (k, name) in ["rules off", "rules on but the identity rules", "rules on", "rules on, learning baselines"].enumerated() {
            var extra = k == 0 ? "" : String(format: ": %+.1f%% (%d alerts fired)", (medians[k] / off - 1) * 100, fired[k])
            if k >= 2 { extra += String(format: "; the identity rules: %+.1f%%", (medians[k] / medians[1] - 1) * 100) }
            print(name + String(format: ": %.3f s (%.0f events/s)", medians[k], Double(capacity) / medians[k]) + extra)
        }
    }

    static func ingest(_ log: [UInt8], into store: EventStore) {
        var framer = StreamDecoder()
        log.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let end = min(all.count, start + (1 << 20))
                framer.feed(UnsafeBufferPointer(rebasing: all[start..<end]), to: store)
                start = end
            }
        }
        framer.finish(to: store)
    }
}
