import Foundation

/// `--community-rules`: `report` with the built-in rules alone against `report` with
/// Falco's whole k8s_audit ruleset and SigmaHQ's Kubernetes rules loaded beside them, on the
/// same log, alternated run by run; medians. The aim: at most 25% slower.
enum RulesBench {
    static func run(audittop: String, log: String, runs: Int, corpus: String) throws {
        let falco = corpus + "/falcosecurity__plugins/plugins/k8saudit/rules/k8s_audit_rules.yaml"
        let sigma = corpus + "/SigmaHQ__sigma/rules/application/kubernetes/audit"
        guard FileManager.default.fileExists(atPath: falco), FileManager.default.fileExists(atPath: sigma) else {
            Bench.fail("no Falco or Sigma rules under \(corpus); pass --corpus DIR")
        }
        let events = try Bench.countLines(log)
        print("log: \(log) — \(events) events; \(runs) runs each, alternated, medians")
        print("community rules: \(falco), \(sigma)\n")
        let variants: [(name: String, args: [String])] = [
            ("built-ins only", []),
            ("built-ins + Falco + Sigma", ["--rules", falco, "--rules", sigma]),
            ("no rules", ["--no-rules"]),
        ]
        var times: [String: [Double]] = [:]
        var cpus: [String: [Double]] = [:]
        for run in 1...runs {
            print("run \(run)/\(runs)...")
            for v in variants {
                let m = try Bench.measure(audittop, ["report", log, "--format", "json", "--jobs", "1"] + v.args)
                times[v.name, default: []].append(m.seconds)
                cpus[v.name, default: []].append(m.cpu)
            }
        }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        let base = median(times["built-ins only"]!)
        let baseCPU = median(cpus["built-ins only"]!)
        print("\n| rules | report --jobs 1 wall (median) | events/s | vs built-ins only | CPU user+sys (median) | vs built-ins only |")
        print("| --- | --- | --- | --- | --- | --- |")
        for v in variants {
            let t = median(times[v.name]!)
            let c = median(cpus[v.name]!)
            print(String(format: "| %@ | %.2f s | %.0f | %+.1f%% | %.2f s | %+.1f%% |", v.name, t, Double(events) / t,
                         (t / base - 1) * 100, c, (c / baseCPU - 1) * 100))
        }
    }
}
