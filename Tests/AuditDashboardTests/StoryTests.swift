import AuditCore
import AuditDashboard
import Testing

/// Enter on an identity opens its story: first seen, networks, agents, and every request
/// in time order with the alerts that fired on it.
@Suite struct StoryTests {
    let store = DashboardScreenTests.simulatedStore()

    @Test func theStoryHoldsEveryRequestInTimeOrderWithItsAlerts() throws {
        let story = IdentityStory(store, identity: "temp-admin")
        // temp-admin exists only through impersonation, from the attacker's address.
        #expect(story.requests == story.lines.count && story.requests > 0)
        #expect(story.networks.map(\.name) == ["203.0.113.0/24"])
        #expect(!story.agents.isEmpty)
        #expect(zip(story.lines, story.lines.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(story.lines.allSatisfy { $0.actingAs.hasSuffix("→temp-admin") })
        let secrets = try #require(story.lines.first { $0.resource == "secrets" })
        #expect(secrets.alerts.contains("Impersonation"))
        #expect(story.firstSeen == story.lines.first?.time)
        // The baseline hook is there, and false until baselines fill it.
        #expect(story.lines.allSatisfy { !$0.isNew })
        #expect(IdentityStory.network("10.0.5.31") == "10.0.5.0/24")
        #expect(IdentityStory.network("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64")
    }

    @Test func enterOnASuspectOpensTheStoryAndQGoesBack() throws {
        var state = DashboardState()
        let model = DashboardModel(store: store)
        let row = try #require(model.suspects.firstIndex { $0.identity == "temp-admin" })
        state.selection[.overview] = row
        #expect(state.handle(.enter, rows: [.overview: model.suspects.count], model: model) == .redraw)
        #expect(state.story?.identity == "temp-admin")
        let open = DashboardModel(store: store, story: state.story?.identity)
        let text = DashboardScreen.render(width: 120, height: 40, model: open, state: state, status: StatusInfo()).text
        #expect(text.contains("Story of temp-admin"))
        #expect(text.contains("203.0.113.0/24"))
        #expect(text.contains("Impersonation"))
        #expect(text.contains("unknown user"))
        // q in the story goes back, it does not quit; so do Esc and Backspace.
        #expect(state.handle(.character("q"), rows: [:], model: open) == .redraw)
        #expect(state.story == nil)
        for key in [Key.escape, .backspace] {
            state.story = StoryState(identity: "temp-admin")
            _ = state.handle(key, rows: [:], model: open)
            #expect(state.story == nil)
        }
    }

    @Test func everyKindOfIdentityRowOpensAStory() throws {
        let model = DashboardModel(store: store)
        var state = DashboardState()
        state.focus = .unknownUsers
        var opened = state.openStoryOnEnter(model)
        #expect(opened && state.story?.identity == model.unknownUsers[0].user)
        state = DashboardState()
        state.focus = .top
        opened = state.openStoryOnEnter(model)
        #expect(opened && state.story?.identity == model.top[.users]?.first?.name)
        // An alert's actor: s (Enter on an alert still shows its events).
        state = DashboardState()
        state.focus = .alerts
        opened = state.openStoryOnEnter(model)
        #expect(!opened)
        #expect(state.handle(.character("s"), rows: [:], model: model) == .redraw)
        #expect(state.story?.identity == model.alerts[0].examples.first?.user)
        // The strip's actor, from a pane with no identities.
        state = DashboardState()
        state.focus = .rates
        _ = state.handle(.character("s"), rows: [:], model: model)
        #expect(state.story?.identity == model.incident(state)?.actor)
    }

    @Test func fFiltersOnTheIdentityAndEnterOpensTheRequest() throws {
        let model = DashboardModel(store: store, story: "temp-admin")
        var state = DashboardState()
        state.story = StoryState(identity: "temp-admin")
        _ = state.handle(.up, rows: [:], model: model)
        #expect(state.story?.scroll == model.story!.lines.count - 2)
        _ = state.handle(.enter, rows: [:], model: model)
        #expect(state.detail?.sequence == model.story!.lines[model.story!.lines.count - 2].sequence)
        _ = state.handle(.escape, rows: [:], model: model)
        #expect(state.detail == nil && state.story != nil)
        _ = state.handle(.character("f"), rows: [:], model: model)
        #expect(state.story == nil && state.filterTerms.map(\.text) == ["user=temp-admin"] && state.focus == .stream)
    }
}

@Suite struct UnauthenticatedStoryTests {
    @Test func aClientThatNeverAuthenticatedHasAStoryByItsAddress() {
        let store = EventStore()
        func failedLogin(_ n: Int, ip: String) -> String {
            #"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"00000000-0000-4000-8000-\#(String(format: "%012d", n))","stage":"ResponseStarted","requestURI":"/api/v1/secrets","verb":"list","user":{},"sourceIPs":["\#(ip)"],"userAgent":"curl/8.5","responseStatus":{"code":401},"requestReceivedTimestamp":"2026-03-14T09:00:0\#(n % 10).000000Z","stageTimestamp":"2026-03-14T09:00:0\#(n % 10).000100Z"}"#
                + "\n"
        }
        store.ingest(text: (0..<6).map { failedLogin($0, ip: "198.51.100.77") }.joined() + failedLogin(9, ip: "198.51.100.78")
            + auditLine(id: "ok-1", user: "alice@example.com", ip: "198.51.100.77"))
        let story = IdentityStory(store, identity: "unauthenticated 198.51.100.77")
        #expect(story.requests == 6 && story.denied == 6)
        #expect(story.networks.first?.name == "198.51.100.0/24")
        #expect(story.lines.allSatisfy { $0.code == 401 && $0.sourceIP == "198.51.100.77" })
    }
}
