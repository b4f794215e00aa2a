import AuditCore
import AuditDashboard
import Testing

/// Enter on a row adds the term that selects its events; applying the term must select
/// exactly what the row stood for.
@Suite struct DrillDownTests {
    let store = DashboardScreenTests.simulatedStore()

    func apply(_ term: String) throws -> DashboardModel {
        store.setFilter(try Filter.parse(term))
        defer { store.setFilter(.all) }
        return DashboardModel(store: store, streamRows: 100_000)
    }

    @Test func aTopRowSelectsItsRequests() throws {
        let model = DashboardModel(store: store)
        for dimension in [TopDimension.users, .resources, .namespaces, .userAgents, .sourceIPs, .codes, .verbs] {
            var state = DashboardState()
            state.focus = .top
            state.topDimension = dimension
            state.selection[.top] = 1
            let row = try #require(model.top[dimension]?[1])
            let term = try #require(DrillDown.term(state, model), "\(dimension)")
            let filtered = try apply(term)
            // The filtered view counts as many requests as the row said.
            #expect(filtered.top[dimension]?.first?.name == row.name, "\(term)")
            #expect(filtered.top[dimension]?.first?.count == row.count, "\(term)")
            #expect(filtered.top[dimension]?.count == 1, "\(term)")
        }
    }

    @Test func anUnknownUserADeniedGroupAndAnAlert() throws {
        let model = DashboardModel(store: store)
        var state = DashboardState()
        state.focus = .unknownUsers
        let named = try #require(model.unknownUsers.firstIndex { !$0.anonymous && !$0.unauthenticated })
        state.selection[.unknownUsers] = named
        let user = model.unknownUsers[named]
        #expect(DrillDown.term(state, model) == "user=\(user.user)")
        // A person's requests are logged at RequestReceived and ResponseComplete; the Stream
        // shows each once.
        #expect(try apply(DrillDown.term(state, model)!).stream.count == user.requests)

        state.focus = .denied
        state.deniedView = .grouped
        let group = model.deniedGroups[0]
        let denied = try apply(DrillDown.term(state, model)!)
        #expect(denied.deniedTotal == group.count)

        state.focus = .alerts
        let alert = try #require(model.alerts.first { $0.rule == "Attach/Exec Pod" })
        state.selection[.alerts] = model.alerts.firstIndex { $0.rule == alert.rule }!
        #expect(DrillDown.term(state, model) == "alert=\"Attach/Exec Pod\"")
        let execs = try apply(DrillDown.term(state, model)!)
        #expect(!execs.stream.isEmpty)
        #expect(execs.stream.allSatisfy { $0.resource == "pods/exec" })
    }

    @Test func aRateBucketSelectsItsSecond() throws {
        let model = DashboardModel(store: store)
        var state = DashboardState()
        state.focus = .rates
        state.selection[.rates] = 3
        let bucket = model.rates[model.rates.count - 1 - 3]
        let term = try #require(DrillDown.term(state, model))
        #expect(term.hasPrefix("time>=") && term.contains(" time<"))
        let filtered = try apply(term)
        #expect(filtered.stream.count > 0)
        #expect(filtered.stream.allSatisfy { $0.time / 1_000_000 == bucket.time })
        // The view counts that second's requests; the bucket counted the same ones.
        #expect(filtered.rates.reduce(0) { $0 + Int($1.total) } == Int(bucket.total))
    }

    @Test func aFilterThatMatchesNothingSaysSo() throws {
        let model = try apply("user=nobody@example.com")
        var state = DashboardState()
        state.focus = .stream
        state.drillDown("user=nobody@example.com")
        let text = DashboardScreen.render(width: 120, height: 40, model: model, state: state, status: StatusInfo()).text
        #expect(text.contains("no event in the ring matches the filter"))
        #expect(text.contains("filter: user=nobody@example.com (0 events)"))
    }

    @Test func rowsThatOpenEventsOrSayNoneAreNotTerms() {
        let model = DashboardModel(store: store)
        var state = DashboardState()
        state.focus = .stream
        #expect(DrillDown.term(state, model) == nil)
        state.focus = .top
        state.selection[.top] = 10_000
        #expect(DrillDown.term(state, model) == nil)
    }
}
