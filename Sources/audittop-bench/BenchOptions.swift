import Foundation

/// The benchmark's command line.
struct BenchOptions {
    var events = 1_000_000
    var runs = 3
    var log: String?
    var peers = true
    var dashboard = false
    /// `--dashboard --no-ingest`: frames on the full ring with nothing ingested beside them
    /// and no idle-CPU run, so a profiler sees only the frames.
    var noIngest = false
    var webhook = false
    var set = false
    var query = false
    var soak = false
    var communityRules = false
    /// The corpus holding Falco's and SigmaHQ's rules (`--corpus`, else AUDITTOP_CORPUS, else ../shared/corpus).
    var corpus: String
    var soakReport = false
    var sample = 1_000_000
    var senders = 4
    var url: String?
    var peersScript: String

    init(arguments: [String]) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        peersScript = root.deletingLastPathComponent().appendingPathComponent("shared/bench/peers.sh").path
        corpus = ProcessInfo.processInfo.environment["AUDITTOP_CORPUS"]
            ?? root.deletingLastPathComponent().appendingPathComponent("shared/corpus").path
        var i = 0
        func value() -> String {
            i += 1
            guard i < arguments.count else { Bench.fail("\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--events": events = Int(value()) ?? events
            case "--runs": runs = max(1, Int(value()) ?? runs)
            case "--log": log = value()
            case "--peers": peersScript = value()
            case "--no-peers": peers = false
            case "--dashboard": dashboard = true
            case "--no-ingest": noIngest = true
            case "--webhook": webhook = true
            case "--set": set = true
            case "--query": query = true
            case "--soak": soak = true
            case "--community-rules": communityRules = true
            case "--corpus": corpus = value()
            case "--soak-report":
                soak = true
                soakReport = true
            case "--sample": sample = max(1, Int(value()) ?? sample)
            case "--senders": senders = max(1, Int(value()) ?? senders)
            case "--url": url = value()
            case "-h", "--help":
                print("usage: audittop-bench [--events N] [--runs R] [--log FILE] [--peers PATH/peers.sh] [--no-peers] | --dashboard [--no-ingest] | --webhook [--senders N] [--events N] [--url http://HOST:PORT/PATH] | --set [--events N] [--runs R] [--no-peers] | --query [--runs R] | --soak [--events N] [--sample N] | --soak-report [--events N] [--sample N]")
                exit(0)
            default: Bench.fail("unknown option \(arguments[i])")
            }
            i += 1
        }
        if peers && !dashboard && !webhook && !query && !soak && !FileManager.default.fileExists(atPath: peersScript) {
            Bench.fail("no peers script at \(peersScript); pass --peers PATH or --no-peers")
        }
    }
}
