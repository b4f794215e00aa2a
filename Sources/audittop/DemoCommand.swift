import ArgumentParser
import AuditSimulator
import Foundation

/// `audittop demo`: writes a realistic audit log from the built-in simulator.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The built-in simulator: live on a terminal, or a realistic log with --write/--events.",
        usage: """
            audittop demo [--write <file>] [--events <n>] [--seed <n>] [--rate <n>]
                          [--flavor <flavor>] [display options]
            """,
        discussion: """
            On a terminal, `audittop demo` runs the dashboard on the simulator, live. With \
            --write or --events, or when stdout is not a terminal, it writes a deterministic log. \
            About 300 events per second of event time from a production cluster of about 20 \
            nodes (kubeadm, EKS, AKS, GKE or OpenShift: --flavor), with an incident part-way: a \
            stolen service-account token used from outside enumerates its rights, lists secrets, \
            binds itself to cluster-admin and execs into kube-system; the admin credential \
            impersonates a new temp-admin who approves its own certificate; an anonymous scanner \
            probes the API and fails to log in 40 times.
            """)

    @Option(help: "Write to this file instead of stdout.")
    var write: String?

    @Option(help: "How many events to write (default 100000).")
    var events: Int?

    @Option(help: "Random seed; the same seed writes the same log.")
    var seed: UInt64 = 1

    @Option(help: "Mean events per second of event time.")
    var rate: Double = 300

    @Option(help: "Platform of the simulated cluster: kubeadm (default), eks, aks, gke or openshift.")
    var flavor: String = "kubeadm"

    /// How the live dashboard looks (theme, wall, kiosk), as for `audittop`.
    @OptionGroup var display: DisplayOptions

    func validate() throws {
        guard (events ?? 0) >= 0 else { throw ValidationError("--events cannot be negative") }
        guard rate > 0 else { throw ValidationError("--rate must be above 0") }
        guard Flavor(rawValue: flavor) != nil else {
            throw ValidationError("unknown --flavor '\(flavor)'; use one of \(Flavor.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        if write == nil && events == nil && isatty(1) == 1 {
            var arguments = ["demo", "--rate", String(rate), "--flavor", flavor]
            if let theme = display.theme { arguments += ["--theme", theme] }
            if let fps = display.fps { arguments += ["--fps", String(fps)] }
            if let rotate = display.rotate { arguments += ["--rotate", String(rotate)] }
            if display.wall { arguments.append("--wall") }
            if display.bell { arguments.append("--bell") }
            if display.readOnly { arguments.append("--read-only") }
            try DashboardCommand.parse(arguments).run()
            return
        }
        let events = self.events ?? 100_000
        let fd: Int32
        if let write {
            fd = open(write, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else {
                FileHandle.standardError.write(Data("audittop: cannot write \(write): \(String(cString: strerror(errno)))\n".utf8))
                throw ExitCode(2)
            }
        } else {
            fd = 1
        }
        defer { if fd != 1 { close(fd) } }
        // The incident starts 60% of the way through the log's event time, or earlier in a
        // short log, so that its two and a half minutes fit (never before 30%).
        let span = Double(events) / rate * 1_000_000
        let start = min(span * 0.6, max(span * 0.3, span - 150_000_000))
        var simulator = Simulator(seed: seed, rate: rate, flavor: Flavor(rawValue: flavor) ?? .kubeadm, incidentAfter: Int64(start))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        for _ in 0..<events {
            buffer.append(contentsOf: simulator.next().line)
            if buffer.count >= 1 << 20 { try flush(&buffer, fd) }
        }
        try flush(&buffer, fd)
    }

    private func flush(_ buffer: inout [UInt8], _ fd: Int32) throws {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                FileHandle.standardError.write(Data("audittop: cannot write \(write ?? "stdout"): \(String(cString: strerror(errno)))\n".utf8))
                throw ExitCode(2)
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
