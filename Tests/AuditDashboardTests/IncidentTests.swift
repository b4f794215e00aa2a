import AuditCore
import AuditDashboard
import Testing

/// One audit event as a JSON line.
func auditLine(id: String, stage: String = "ResponseComplete", user: String, verb: String = "get", resource: String = "pods",
               subresource: String = "", namespace: String = "default", name: String = "web-0", code: Int = 200,
               time: String = "2026-03-14T09:00:00.000000Z", impersonated: String = "", ip: String = "203.0.113.9") -> String {
    let sub = subresource.isEmpty ? "" : #","subresource":"\#(subresource)""#
    let imp = impersonated.isEmpty ? "" : #","impersonatedUser":{"username":"\#(impersonated)"}"#
    let status = stage == "RequestReceived" ? "" : #","responseStatus":{"code":\#(code)}"#
    return #"{"kind":"Event","level":"Metadata","auditID":"\#(id)","stage":"\#(stage)","requestURI":"/api/v1/namespaces/\#(namespace)/\#(resource)","verb":"\#(verb)","user":{"username":"\#(user)"}\#(imp),"sourceIPs":["\#(ip)"],"userAgent":"kubectl/v1.30","objectRef":{"resource":"\#(resource)"\#(sub),"namespace":"\#(namespace)","name":"\#(name)"}\#(status),"requestReceivedTimestamp":"\#(time)","stageTimestamp":"\#(time)"}"# + "\n"
}

@Suite struct IncidentTests {
    static let model = SnapshotTests.models[""]!

    @Test func alertsAreSortedBySeverityThenLatestFiring() throws {
        let alerts = Self.model.alerts
        #expect(!alerts.isEmpty)
        for (a, b) in zip(alerts, alerts.dropFirst()) { #expect(a.severity >= b.severity, "\(a.rule) before \(b.rule)") }
        // A low burst of a controller's 403s that fired last still sits below the exec.
        let store = EventStore()
        var text = auditLine(id: "x-1", user: "dev-temp@contractor.example", verb: "create", resource: "pods", subresource: "exec",
                             code: 101, time: "2026-03-14T09:00:00.000000Z")
        for k in 0..<12 {
            text += auditLine(id: "d-\(k)", user: "system:serviceaccount:monitoring:kube-state-metrics", verb: "list",
                              resource: "leases", code: 403, time: "2026-03-14T09:00:\(10 + k).000000Z")
        }
        store.ingest(text: text)
        let model = DashboardModel(store: store)
        let order = model.alerts.map(\.rule)
        #expect(model.alerts.first.map { $0.severity >= .high } == true)
        let exec = try #require(order.firstIndex(of: "Attach/Exec Pod"))
        let burst = try #require(order.firstIndex(of: "Denial Burst"))
        #expect(exec < burst)
        #expect(model.alerts.first { $0.rule == "Attach/Exec Pod" }?.examples.first?.user == "dev-temp@contractor.example")
    }

    @Test func theStripHoldsTheWorstUnacknowledgedAlertAndAAcknowledgesIt() throws {
        var state = DashboardState()
        let first = try #require(Self.model.incident(state))
        // The simulator's worst: the stolen token's exec into the privileged pod it made.
        #expect(first.alert.severity == .critical && first.alert.rule == "Attach/Exec Into Privileged Pod")
        #expect(first.actor == "system:serviceaccount:web:frontend")
        #expect(first.target.hasPrefix("pods/exec kube-system/"))
        #expect(first.others == Self.model.alerts.count - 1)
        let strip = { (s: DashboardState) in
            String(DashboardScreen.render(width: 120, height: 40, model: Self.model, state: s, status: StatusInfo())
                .text.split(separator: "\n")[1])
        }
        #expect(strip(state).contains("CRIT Attach/Exec Into Privileged Pod  sa:web/frontend  pods/exec kube-sy"))
        #expect(strip(state).contains("+\(first.others) more"))
        // a: the next one shows.
        #expect(state.handle(.character("a"), rows: [:], model: Self.model) == .redraw)
        let second = try #require(Self.model.incident(state))
        #expect(second.alert.rule != first.alert.rule && second.others == first.others - 1)
        #expect(strip(state).contains(second.alert.rule))
        // The rule fires again: it is back.
        var fired = Self.model
        let k = try #require(fired.alerts.firstIndex { $0.rule == first.alert.rule })
        fired.alerts[k].count += 1
        #expect(fired.incident(state)?.alert.rule == first.alert.rule)
        // Every alert acknowledged: the strip says so.
        for _ in Self.model.alerts { _ = state.handle(.character("a"), rows: [:], model: Self.model) }
        #expect(Self.model.incident(state) == nil)
        #expect(strip(state).contains("alerts acknowledged"))
        #expect(state.handle(.character("a"), rows: [:], model: Self.model) == .none)
    }

    @Test func tabsCarryCountsAndTheUnacknowledgedSeriousAlerts() {
        var state = DashboardState()
        let serious = Self.model.alerts.filter { $0.severity >= .medium }.count
        let counts = TabBar.counts(Self.model, state)
        #expect(counts[.alerts] == "\(serious)!")
        #expect(counts[.unknownUsers] == "\(Self.model.unknownUsers.count)")
        let tabs = String(DashboardScreen.render(width: 80, height: 24, model: Self.model, state: state, status: StatusInfo())
            .text.split(separator: "\n")[2])
        #expect(tabs.hasPrefix("0 Overview \(serious)!") && tabs.contains("7 Alerts \(serious)"))
        for alert in Self.model.alerts where alert.severity >= .medium { state.acknowledge(alert) }
        #expect(TabBar.counts(Self.model, state)[.alerts] == String(Self.model.alerts.count))
    }

    @Test func theStreamShowsOneRowPerRequestAndRShowsEveryStage() {
        let store = EventStore()
        store.ingest(text: auditLine(id: "r-1", stage: "RequestReceived", user: "alice@example.com")
            + auditLine(id: "r-1", user: "alice@example.com")
            + auditLine(id: "r-2", stage: "RequestReceived", user: "bob@example.com"))
        let merged = DashboardModel(store: store)
        // Oldest first, the newest last, as a log reads.
        #expect(merged.stream.map(\.user) == ["alice@example.com", "bob@example.com"])
        #expect(merged.stream.first?.code == 200 && merged.stream.first?.stage == .responseComplete)
        let raw = DashboardModel(store: store, rawStages: true)
        #expect(raw.stream.count == 3)
        var state = DashboardState()
        state.focus = .stream
        #expect(state.handle(.character("R"), rows: [:]) == .redraw && state.rawStages)
        let text = DashboardScreen.render(width: 100, height: 20, model: raw, state: state, status: StatusInfo()).text
        #expect(text.contains("received") && text.contains("complete"))
    }

    @Test func deniedGroupsByIdentitySuspiciousFirst() throws {
        let rows = Self.model.deniedByIdentity
        let first = try #require(rows.first)
        #expect(first.suspicious)
        #expect(!first.user.hasSuffix("kube-state-metrics"))
        let controller = try #require(rows.firstIndex { $0.user.hasSuffix("kube-state-metrics") })
        #expect(rows[controller].count > first.count && controller >= 2)
        #expect(DashboardState().deniedView == .byIdentity)
    }

    @Test func theOverviewNamesTheSuspectsAndTheirDenials() throws {
        let sa = try #require(Self.model.suspects.first { $0.identity == "system:serviceaccount:web:frontend" })
        #expect(sa.reasons.contains("HIGH Attach/Exec Pod"))
        #expect(sa.requests > 0)
        let temp = try #require(Self.model.suspects.first { $0.identity == "temp-admin" })
        #expect(temp.reasons.contains("unknown user") && temp.lastSourceIP == "203.0.113.45")
        #expect(Self.model.suspects.first?.severity == .critical)
        #expect(Self.model.outsideDenials.allSatisfy { !$0.user.hasPrefix("system:") || $0.user == "system:anonymous" })
        #expect(Self.model.outsideDenials.contains { $0.user == "system:anonymous" && $0.resource == "secrets" })
    }

    @Test func theTimelineMarksWhereAlertsFired() throws {
        var model = DashboardModel()
        let first = Timestamp.parse("2026-03-14T09:00:00Z")!
        model.timeline = TimelineInfo(events: Array(repeating: 10, count: 198), denied: Array(repeating: 0, count: 198),
                                      first: first, last: first + 600_000_000, cursor: first)
        model.alertMarks = [AlertMark(time: first + 300_000_000, severity: .high)]
        var state = DashboardState()
        state.timelineShown = true
        state.focus = .timeline
        let grid = DashboardScreen.render(width: 200, height: 60, model: model, state: state, status: StatusInfo())
        let row = try #require(grid.text.split(separator: "\n").first { $0.contains("!") && $0.contains("█") })
        let column = row.distance(from: row.startIndex, to: row.firstIndex(of: "!")!)
        #expect(abs(column - 100) <= 2)
        // The model marks medium-or-higher alerts only.
        #expect(!Self.model.alertMarks.isEmpty)
        #expect(Self.model.alertMarks.allSatisfy { $0.severity >= .medium })
        // One mark for every firing, not only the few examples an alert keeps.
        #expect(Self.model.alertMarks.count == Self.model.alerts.filter { $0.severity >= .medium }.reduce(0) { $0 + $1.count })
    }
}
