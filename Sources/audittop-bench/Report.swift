import Foundation

/// The benchmark's printed table.
enum Report {
    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func print(results: [String: [Bench.Measurement]], events: Int, bytes: Int,
                      memory: (stride: Int, withStrings: Double, withRequests: Double)?) {
        guard let ours = results["audittop"] else { return }
        let ourSeconds = median(ours.map(\.seconds))
        func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
            let p = String(repeating: " ", count: max(0, w - s.count))
            return right ? p + s : s + p
        }
        Swift.print("")
        Swift.print(pad("tool", 16) + pad("wall s", 9, right: true) + pad("events/s", 12, right: true)
            + pad("MB/s", 9, right: true) + pad("peak RSS MB", 13, right: true) + pad("audittop speed-up", 19, right: true))
        let order = ["audittop", "audittop-2cores", "replay-max", "simdjson-c++", "python-orjson", "jq", "lnav", "goaccess"]
        let names = order.filter { results[$0] != nil } + results.keys.filter { !order.contains($0) }.sorted()
        for name in names {
            let ms = results[name]!
            let s = median(ms.map(\.seconds))
            let rss = median(ms.map { Double($0.kilobytes) }) / 1024
            let rate = s > 0 ? Double(events) / s : 0
            let mbs = s > 0 ? Double(bytes) / 1_000_000 / s : 0
            let ratio = name == "audittop" ? "-" : String(format: "%.2fx", s / max(ourSeconds, 0.001))
            // (audittop-2cores' column is its time over the one-core time: below 1 is faster.)
            Swift.print(pad(name, 16) + pad(String(format: "%.2f", s), 9, right: true) + pad(String(format: "%.0f", rate), 12, right: true)
                + pad(String(format: "%.0f", mbs), 9, right: true) + pad(String(format: "%.0f", rss), 13, right: true) + pad(ratio, 19, right: true))
        }
        Swift.print("")
        Swift.print("audittop runs (1 core): " + ours.map { String(format: "%.2f s", $0.seconds) }.joined(separator: ", "))
        if let two = results["audittop-2cores"] {
            Swift.print("audittop runs (2 cores): " + two.map { String(format: "%.2f s", $0.seconds) }.joined(separator: ", "))
            Swift.print(String(format: "two cores (--jobs 2): %.2f s median, %.2fx the one-core speed", median(two.map(\.seconds)),
                               ourSeconds / max(median(two.map(\.seconds)), 0.001)))
        }
        guard let memory else { return }
        Swift.print("ring entry: \(memory.stride) bytes with its links; with interned strings \(String(format: "%.0f", memory.withStrings)) bytes;"
            + " with the request table \(String(format: "%.0f", memory.withRequests)) bytes (raw JSON budget apart)")
    }
}
