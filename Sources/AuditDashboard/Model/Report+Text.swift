import AuditCore

extension Report {
    /// The report as aligned text for a terminal. Every string from an event is sanitised
    /// (`TerminalText`); `colour` adds bold headings and red denials (use it on a TTY only).
    public func text(colour: Bool) -> String {
        var out = TextTable.Writer(colour: colour)
        out.heading("audittop report")
        out.line("Sources    \(sources.isEmpty ? "(none)" : sources.map(TerminalText.sanitize).joined(separator: ", "))")
        if let filter {
            out.line("Filter     \(TerminalText.sanitize(filter)) (\(matchingEvents ?? 0) matching events in the ring; every count below is of them)")
        }
        out.line("Events     \(events) ingested, \(requests) requests, \(duplicates) duplicates, \(malformed.total) malformed")
        if malformed.total > 0 {
            let kinds = malformed.byKind.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            out.line("Malformed  " + kinds.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        out.line("Time       \(timeRange.first ?? "-") .. \(timeRange.last ?? "-")")
        if let peak = rates.series.max(by: { $0.total < $1.total }), !rates.series.isEmpty {
            let average = Double(rates.series.reduce(0) { $0 + $1.total }) / Double(rates.series.count)
            out.line("Rate       \(Format.number(average)) requests/min average, \(peak.total) peak at \(peak.time)")
        }
        out.line("Anonymous  \(anonymous.requests) requests, \(anonymous.denied) denied")
        if topErrorBound > 0 {
            out.line("Top lists  more distinct values than counters: a count may be high by up to \(topErrorBound)")
        }

        // What needs a person first: the alerts, who nobody expected, who was denied; then
        // the top lists.
        out.heading("Alerts: \(alerts.count) rules fired")
        if !alerts.isEmpty {
            out.table(
                ["severity", "rule", "count", "first", "last", "latest example"],
                // Most severe first, as on the screen.
                alerts.sorted { $0.severity > $1.severity }.map {
                    let e = $0.examples.first
                    return [$0.severity.name, $0.rule, String($0.count), $0.first ?? "-", $0.last ?? "-",
                            e.map { $0.user.isEmpty ? $0.note : "\($0.user): \($0.note)" } ?? ""]
                },
                alert: true)
        }
        if !rulesNotEvaluated.isEmpty {
            out.line("Not evaluated (the audit policy logged no request body): "
                + rulesNotEvaluated.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }

        out.heading("Unknown users: \(unknownUsers.count)")
        if !unknownUsers.isEmpty {
            out.table(
                ["user", "first seen", "requests", "denied", "verbs", "source IPs"],
                unknownUsers.map {
                    [
                        $0.unauthenticated ? "(unauthenticated)"
                            : $0.user + ($0.anonymous ? " (anonymous)" : "") + ($0.impersonatedBy.isEmpty ? "" : " via " + $0.impersonatedBy.joined(separator: ",")),
                        $0.firstSeen ?? "-", String($0.requests),
                        String($0.denied), $0.verbs.joined(separator: ","), $0.sourceIPs.joined(separator: ","),
                    ]
                },
                alert: false)
        }

        out.heading("Denied requests: \(denied.total)")
        if !denied.groups.isEmpty {
            out.table(
                ["user", "verb", "resource", "count", "last seen", "reason"],
                denied.groups.map { [$0.user, $0.verb, $0.resource, String($0.count), $0.lastSeen ?? "-", $0.reason] },
                alert: true)
        }
        if !denied.latest.isEmpty {
            out.line("Latest:")
            out.table(
                ["time", "user", "verb", "resource", "namespace", "code", "reason"],
                denied.latest.map { [$0.time, $0.user, $0.verb, $0.resource, $0.namespace, String($0.code), $0.reason] },
                alert: true)
        }

        out.section("Top users", top.users)
        out.section("Top verbs", top.verbs)
        out.section("Top resources", top.resources)
        out.section("Top namespaces", top.namespaces)
        out.section("Top user agents", top.userAgents)
        out.section("Top source IPs", top.sourceIPs)
        out.section("Codes", top.codes)
        if top.sources.count > 1 { out.section("Sources", top.sources) }

        out.heading("Latency (seconds, long-running requests excluded)")
        out.table(
            ["verb", "count", "p50", "p90", "p99"],
            latency.sorted { $0.value.count > $1.value.count }.map {
                [$0.key, String($0.value.count), Format.seconds($0.value.p50), Format.seconds($0.value.p90), Format.seconds($0.value.p99)]
            },
            alert: false)
        return out.text
    }
}

/// Number formatting shared by the report and the panes.
public enum Format {
    /// One decimal place below 100, none above.
    public static func number(_ v: Double) -> String {
        if v >= 100 { return String(Int(v.rounded())) }
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Seconds with three significant decimals (`0.004`, `1.250`).
    public static func seconds(_ v: Double) -> String {
        let ms = Int((v * 1000).rounded())
        let frac = String(ms % 1000)
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
    }
}
