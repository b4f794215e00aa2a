import AuditCore
import AuditDashboard
import AuditSimulator
import Testing

/// A live feed for a session: the simulator writes into a shared store, and each frame
/// takes the snapshot the session asks for, as the executable does.
final class LiveFeed {
    let store = SharedEventStore(configuration: StoreConfiguration())
    var simulator = Simulator(seed: 5, incidentAfter: 2_000_000)
    var clock = 1_000.0

    func feed(_ n: Int) {
        var text = ""
        for _ in 0..<n { text += String(decoding: simulator.next().line, as: UTF8.self) }
        store.withStore { $0.ingest(text: text) }
    }

    /// One frame, a second after the last: returns the effects and the screen's text.
    @discardableResult
    func frame(_ session: inout DashboardSession) -> String {
        clock += 1
        if session.plan(now: clock, generation: store.generation) == .snapshotAndDraw {
            let request = session.request
            _ = session.receive(DashboardModel.snapshot(store, request), for: request)
        }
        if let filter = session.filterToCount {
            session.counted(store.withStore { FilterMatcher(filter, reference: $0.stats.lastTime ?? 0).count(in: $0) })
        }
        session.update(now: clock, ingested: store.withStore { $0.counters.ingested }, sources: [("demo", "following")])
        return session.render().text
    }

    func press(_ session: inout DashboardSession, _ keys: Key...) -> [SessionEffect] {
        keys.flatMap { session.handle(.key($0), now: clock) }
    }
}

@Suite struct SessionTests {
    func stream(_ feed: LiveFeed, width: Int = 120, height: Int = 40) -> DashboardSession {
        var session = DashboardSession(width: width, height: height, now: feed.clock)
        feed.feed(2_000)
        feed.frame(&session)
        _ = feed.press(&session, .character("4"))
        feed.frame(&session)
        return session
    }

    @Test func theSelectedRowStaysOnItsEventWhileEventsArrive() throws {
        let feed = LiveFeed()
        var session = stream(feed)
        // Following: the cursor is on the newest row, at the bottom.
        #expect(session.state.selected(.stream) == session.model.stream.count - 1)
        #expect(feed.frame(&session).contains("FOLLOW"))
        _ = feed.press(&session, .up, .character("k"), .up)
        let chosen = session.model.stream[session.state.selected(.stream)].auditID
        for _ in 0..<5 {
            feed.feed(400)
            let text = feed.frame(&session)
            #expect(session.model.stream[session.state.selected(.stream)].auditID == chosen)
            #expect(text.contains("SCROLL ("))
        }
        // 2,000 more events came after it; the status bar counts them.
        #expect(session.model.streamNewer >= 2_000)
        #expect(feed.frame(&session).contains("SCROLL (\(session.model.streamNewer) new)"))
        // Enter opens the row under the cursor, not whatever arrived there.
        _ = feed.press(&session, .enter)
        let opened = try #require(session.state.detail?.sequence)
        #expect(session.model.stream.contains { $0.sequence == opened && $0.auditID == chosen })
        _ = feed.press(&session, .character("q"))
        #expect(session.state.detail == nil)
        // G follows again: the newest row, and new events move the cursor with them.
        _ = feed.press(&session, .character("G"))
        feed.feed(300)
        let text = feed.frame(&session)
        #expect(text.contains("FOLLOW") && !text.contains("SCROLL"))
        #expect(session.state.selected(.stream) == session.model.stream.count - 1)
    }

    @Test func moreThanTheRowsCopiedCanArriveAndTheRowIsStillThere() {
        let feed = LiveFeed()
        var session = stream(feed)
        _ = feed.press(&session, .pageUp)
        let chosen = session.model.stream[session.state.selected(.stream)].auditID
        feed.feed(3_000)  // more than the 500 rows a snapshot copies
        feed.frame(&session)
        #expect(session.model.stream[session.state.selected(.stream)].auditID == chosen)
        // Moving back down to the newest row follows again.
        _ = feed.press(&session, .end)
        #expect(session.state.pinned[.stream] == nil)
    }

    @Test func qClosesTheDetailViewAndQuitsOnlyFromTheMainScreen() {
        let feed = LiveFeed()
        var session = stream(feed)
        _ = feed.press(&session, .enter)
        #expect(session.state.detail != nil)
        #expect(feed.press(&session, .character("q")).isEmpty)
        #expect(session.state.detail == nil)
        _ = feed.press(&session, .enter)
        _ = feed.press(&session, .escape)
        #expect(session.state.detail == nil)
        _ = feed.press(&session, .character("?"))
        #expect(feed.press(&session, .character("q")).isEmpty && !session.state.showHelp)
        #expect(feed.press(&session, .character("q")) == [.quit])
    }

    @Test func theDetailViewWrapsLongLinesAndGStopsAtTheLastScreenful() {
        let feed = LiveFeed()
        var session = stream(feed, width: 80, height: 24)
        // The newest event has a name far wider than the screen.
        let long = "web-" + String(repeating: "0123456789", count: 20)
        feed.store.withStore { $0.ingest(text: auditLine(id: "long-1", user: "alice@example.com", name: long)) }
        feed.frame(&session)
        _ = feed.press(&session, .enter)
        var text = feed.frame(&session)
        let lines = session.model.detailLines.count
        #expect(lines > 20)
        // Wrapped, the name goes on over the next rows instead of ending at the border.
        let unboxed = text.split(separator: "\n").map { $0.replacingOccurrences(of: "│", with: "").trimmingCharacters(in: .whitespaces) }
        let name = unboxed.firstIndex { $0.hasPrefix("\"name\": \"web-0123") } ?? 0
        #expect(name > 0 && unboxed[name + 1].count > 20 && unboxed[name + 1].allSatisfy { $0.isNumber || $0 == "\"" }, "\(unboxed)")
        _ = feed.press(&session, .character("G"))
        text = feed.frame(&session)
        // The last line of the event is the last line of the box, not alone at its top.
        let rows = text.split(separator: "\n").map(String.init)
        let closing = rows.lastIndex { $0.hasPrefix("│}") } ?? -1
        #expect(closing == rows.count - 3, "\(text)")
        #expect(session.state.detail!.scroll > 0)
        // w turns wrapping off; → scrolls across.
        _ = feed.press(&session, .character("w"), .right, .character("l"))
        #expect(session.state.detail?.wrap == false && session.state.detail!.column > 0)
        text = feed.frame(&session)
        #expect(text.contains("no wrap, column"))
        _ = feed.press(&session, .character("h"), .left)
        #expect(session.state.detail?.column == 0)
    }

    @Test func aWrappedLineKeepsEveryCharacter() {
        let long = String(repeating: "abcdefghij", count: 20)
        let layout = DetailLayout(lines: [[("  ", .normal), ("\"userAgent\": ", .jsonKey), ("\"\(long)\"", .jsonString)]],
                                  width: 40, wrap: true, page: 10)
        #expect(layout.rows.count > 5)
        #expect(layout.rows.allSatisfy { $0.pieces.reduce(0) { $0 + CellWidth.of($1.text) } <= 40 })
        let joined = layout.rows.map { $0.pieces.map(\.text).joined() }.joined()
        #expect(joined.replacingOccurrences(of: " ", with: "").contains(long))
    }

    @Test func backspaceRemovesTheLastTermOfATypedFilter() {
        let feed = LiveFeed()
        var session = stream(feed)
        _ = feed.press(&session, .character("/"))
        for c in "verb=get ns=kube-system code<400" { _ = feed.press(&session, .character(c)) }
        _ = feed.press(&session, .enter)
        #expect(session.state.filterTerms.count == 3)
        _ = feed.press(&session, .backspace)
        #expect(session.state.filterText == "verb=get ns=kube-system")
        #expect(session.request.filter == (try? Filter.parse("verb=get ns=kube-system")))
        _ = feed.press(&session, .backspace, .backspace)
        #expect(session.state.filterTerms.isEmpty && session.request.filter == .all)
    }

    @Test func aDrillDownKeepsTheFocusOnItsPane() {
        let feed = LiveFeed()
        var session = stream(feed)
        _ = feed.press(&session, .character("5"), .character("l"))  // l is →: the next Top list
        #expect(session.state.topDimension == .resources)
        _ = feed.press(&session, .character("j"), .enter)
        #expect(session.state.focus == .top)
        #expect(session.state.filterText.hasPrefix("resource="))
        feed.frame(&session)
        #expect(session.model.top[.resources]?.count == 1)
    }

    @Test func theTypedFilterIsCountedAndAMistakeSaysWhere() {
        let feed = LiveFeed()
        var session = stream(feed)
        _ = feed.press(&session, .character("/"))
        for c in "verb=get" { _ = feed.press(&session, .character(c)) }
        let gets = feed.store.withStore { s in (0..<s.ring.count).filter { _ in true }.count }
        var text = feed.frame(&session)
        #expect(text.contains("matching events in the ring") && gets > 0)
        for c in " usr=x" { _ = feed.press(&session, .character(c)) }
        text = feed.frame(&session)
        #expect(text.contains("unknown field 'usr'"))
    }

    @Test func replayKeysHintsAndStatus() {
        var settings = SessionSettings()
        settings.replay = true
        var session = DashboardSession(settings: settings, width: 120, height: 40, now: 0)
        // g is the first row, as everywhere; @ is go to.
        #expect(session.handle(.key(.character("g")), now: 0).isEmpty && session.goTo == nil)
        #expect(session.handle(.key(.character("@")), now: 0).isEmpty && session.goTo == "")
        for c in "14:32" { _ = session.handle(.key(.character(c)), now: 0) }
        #expect(session.handle(.key(.enter), now: 0) == [.replay(.goTo("14:32"))])
        #expect(session.handle(.key(.character(" ")), now: 0) == [.replay(.togglePause)])
        #expect(session.handle(.key(.character("]")), now: 0) == [.replay(.jump(seconds: 60))])
        _ = session.handle(.key(.character("@")), now: 0)
        for c in "soon" { _ = session.handle(.key(.character(c)), now: 0) }
        #expect(session.handle(.key(.enter), now: 0).isEmpty && session.message?.contains("not a time") == true)
        session.update(now: 1, ingested: 0, replay: ReplayProgress(speed: "10x", paused: false, percent: 42, done: false))
        var text = session.render().text
        #expect(text.contains("REPLAY 10x 42%") && !text.contains("FOLLOW"))
        // The bad time is said in the hints line; the next key brings the replay's keys back.
        _ = session.handle(.key(.character("?")), now: 1)
        _ = session.handle(.key(.escape), now: 1)
        text = session.render().text
        #expect(text.contains("+/- speed") && text.contains("@ go to"))
        session.update(now: 2, ingested: 0, replay: ReplayProgress(speed: "10x", paused: false, percent: 100, done: true))
        text = session.render().text
        #expect(text.contains("DONE"))
    }

    @Test func aKioskAsksTwiceAndKeepsItsSettings() {
        var settings = SessionSettings()
        settings.readOnly = true
        var session = DashboardSession(settings: settings, width: 120, height: 40, now: 0)
        #expect(session.handle(.key(.character("q")), now: 10).isEmpty)
        #expect(session.handle(.key(.character("q")), now: 11) == [.quit])
        #expect(session.handle(.key(.character("t")), now: 20).isEmpty && session.message == "read-only: the theme stays")
        _ = session.handle(.key(.character(":")), now: 20)
        for c in "export /tmp/x" { _ = session.handle(.key(.character(c)), now: 20) }
        #expect(session.handle(.key(.enter), now: 20).isEmpty && session.message == "read-only: :export is off")
    }

    @Test func commandsBecomeEffectsOrSayWhatIsWrong() {
        var session = DashboardSession(width: 120, height: 40, now: 0)
        func run(_ line: String) -> [SessionEffect] {
            _ = session.handle(.key(.character(":")), now: 0)
            for c in line { _ = session.handle(.key(.character(c)), now: 0) }
            return session.handle(.key(.enter), now: 0)
        }
        #expect(run("export /tmp/e.jsonl") == [.export(path: "/tmp/e.jsonl")])
        #expect(run("known alice@example.com") == [.addKnownUser("alice@example.com")])
        #expect(run("theme light") == [.useTheme("light")])
        #expect(run("speed 10x").isEmpty && session.message == "speed: only a replay has a speed")
        #expect(run("filter usr=x").isEmpty && session.message?.hasPrefix("filter: column 1") == true)
        #expect(run("filter verb=get").isEmpty && session.state.filterText == "verb=get")
        #expect(run("q") == [.quit])
        #expect(session.handle(.key(.character("t")), now: 0) == [.cycleTheme])
    }

    @Test func enterOnALatestDenialAsksForItsEvent() throws {
        let feed = LiveFeed()
        var session = stream(feed)
        _ = feed.press(&session, .character("2"), .character("v"))
        #expect(session.state.deniedView == .latest)
        feed.frame(&session)
        let first = try #require(session.model.latestDenied.first)
        #expect(feed.press(&session, .enter) == [.openAuditID(first.auditID)])
    }

    @Test func theWallSamplesEachCounterByName() {
        let feed = LiveFeed()
        var session = stream(feed)
        for _ in 0..<3 {
            feed.feed(100)
            feed.frame(&session)
        }
        let alerts = Double(session.model.alerts.reduce(0) { $0 + $1.count })
        #expect(session.wall.history[.alerts]?.last == alerts)
        #expect(session.wall.history[.unknownUsers]?.last == Double(session.model.unknownUsers.count))
        #expect(session.wall.history[.eventsPerSecond]?.count == 5)
    }

    @Test func theRatesAverageLeavesOutTimeBeforeTheDataAndTheFillingBucket() {
        let feed = LiveFeed()
        var session = stream(feed)
        feed.feed(40_000)  // over two minutes of events
        _ = feed.press(&session, .character("1"), .character("r"), .character("r"))  // the 24 h window
        let text = feed.frame(&session)
        let line = text.split(separator: "\n").first { $0.contains("total") && $0.contains("avg") }.map(String.init) ?? ""
        // About 100 s of events at 300/s: two or three minutes of data, so the average of
        // whole minutes is thousands a minute, not diluted by a day of empty buckets.
        let average = line.components(separatedBy: "avg ").last?.split(separator: " ").first.flatMap { Double($0) } ?? 0
        #expect(average > 1_000, "\(line)")
    }

    @Test func spacePausesTheDataAndCountsWhatWaits() {
        let feed = LiveFeed()
        var session = stream(feed)
        _ = feed.press(&session, .character(" "))
        let shown = session.model.counters.ingested
        feed.feed(500)
        let text = feed.frame(&session)
        #expect(session.model.counters.ingested == shown)
        #expect(text.contains("PAUSED (500 waiting)"))
        _ = feed.press(&session, .character(" "))
        #expect(feed.frame(&session).contains("FOLLOW") && session.model.counters.ingested == shown + 500)
    }

    @Test func aClickSelectsARowAndItStaysOnIt() {
        let feed = LiveFeed()
        var session = stream(feed, width: 200, height: 60)
        // Tiled at 200x60: the Stream is the bottom band; click its third visible row.
        let rect = DashboardScreen.paneRects(width: 200, height: 60, state: session.state, alerts: session.model.alerts.count)[.stream]!
        _ = session.handle(.click(x: rect.x + 5, y: rect.y + 4), now: feed.clock)
        #expect(session.state.focus == .stream && session.state.pinned[.stream] != nil)
        let chosen = session.model.stream[session.state.selected(.stream)].auditID
        feed.feed(300)
        feed.frame(&session)
        #expect(session.model.stream[session.state.selected(.stream)].auditID == chosen)
    }

    @Test func aNewSevereAlertFlashesAndRingsWithBell() {
        var settings = SessionSettings()
        settings.bell = true
        let feed = LiveFeed()
        var session = DashboardSession(settings: settings, width: 120, height: 40, now: feed.clock)
        var rang = false
        // The simulator's incident: a high or critical alert fires within 100 s of events.
        for _ in 0..<40 where !rang {
            feed.feed(1_000)
            feed.clock += 1
            if session.plan(now: feed.clock, generation: feed.store.generation) == .snapshotAndDraw {
                let request = session.request
                rang = session.receive(DashboardModel.snapshot(feed.store, request), for: request).contains(.bell)
            }
            session.update(now: feed.clock, ingested: feed.store.withStore { $0.counters.ingested })
        }
        #expect(rang)
        #expect(session.render().text.contains("ALERT "))
    }

    @Test func aResizeRefitsTheLayout() {
        var session = DashboardSession(width: 80, height: 24, now: 0)
        #expect(!session.state.tiled && session.state.focus == .overview)
        _ = session.handle(.resize(width: 200, height: 60), now: 0)
        #expect(session.state.tiled && session.state.focus == .alerts)
        #expect(session.render().width == 200)
    }
}
