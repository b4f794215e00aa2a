import AuditCore
import AuditDashboard
import AuditSimulator
import Foundation
import Testing

@Suite struct DashboardScreenTests {
    static func simulatedStore(_ n: Int = 30_000) -> EventStore {
        // The incident starts at once, so its steps up to the CSR fit in these 100 s of events.
        var sim = Simulator(seed: 3, incidentAfter: 2_000_000)
        var text = ""
        for _ in 0..<n { text += String(decoding: sim.next().line, as: UTF8.self) }
        let store = EventStore()
        store.ingest(text: text)
        return store
    }

    static func status() -> StatusInfo {
        var info = StatusInfo()
        info.sources = [("demo", "following")]
        info.clock = "14:32:05"
        info.eventsPerSecond = 301.5
        return info
    }

    /// Cells per line, wide characters counted twice.
    func widths(_ grid: CellGrid) -> [Int] {
        grid.text.split(separator: "\n", omittingEmptySubsequences: false).map { CellWidth.of(String($0)) }
    }

    @Test(arguments: [(80, 24), (120, 40), (160, 30), (200, 60)])
    func everyLineFillsTheScreenExactlyAndNothingWraps(width: Int, height: Int) {
        let store = Self.simulatedStore()
        let grid = DashboardScreen.render(width: width, height: height, model: DashboardModel(store: store), state: DashboardState(), status: Self.status())
        #expect(widths(grid) == Array(repeating: width, count: height))
        #expect(grid.text.contains("30000 events"))
        #expect(grid.text.contains("FOLLOW"))
    }

    @Test func atEightyColumnsPanesAreTabsAndTheFocusedOneFillsTheBody() {
        let store = Self.simulatedStore()
        var state = DashboardState()
        state.focus = .unknownUsers
        let grid = DashboardScreen.render(width: 80, height: 24, model: DashboardModel(store: store), state: state, status: Self.status())
        let lines = grid.text.split(separator: "\n").map(String.init)
        #expect(lines[2].hasPrefix("0 Overview") && lines[2].contains("1 Rates") && lines[2].contains("6 Lat"))
        #expect(lines[3].contains("3 Unknown users ("))
        #expect(grid.text.contains("system:anonymous"))
        #expect(!grid.text.contains("4 Stream ─"))
    }

    @Test func fromOneHundredSixtyColumnsEveryPaneIsVisible() {
        let grid = DashboardScreen.render(width: 200, height: 60, model: DashboardModel(store: Self.simulatedStore()),
                                          state: DashboardState(), status: Self.status())
        for title in ["1 Rates", "2 Denied", "3 Unknown users", "4 Stream", "5 Top", "6 Latency"] {
            #expect(grid.text.contains("─ \(title)"), "\(title)")
        }
        #expect(grid.text.contains("now ") && grid.text.contains("peak"))
        #expect(grid.text.contains("sa:web/frontend"))
    }

    @Test func aTinyTerminalGetsAPoliteMessage() {
        let grid = DashboardScreen.render(width: 40, height: 10, model: DashboardModel(), state: DashboardState(), status: StatusInfo())
        #expect(grid.text.hasPrefix("audittop needs at least 60x15;"))
        #expect(grid.text.contains("this terminal is 40x10."))
    }

    @Test func hostileStringsAreShownNotObeyed() {
        let evil = #"{"kind":"Event","level":"Metadata","auditID":"e-1","stage":"ResponseComplete","requestURI":"/api","verb":"get","user":{"username":"ev\u001b[2Jil\u202eknar\u200b"},"responseStatus":{"code":403}}"#
        let store = EventStore()
        store.ingest(text: evil + "\n")
        let grid = DashboardScreen.render(width: 120, height: 30, model: DashboardModel(store: store), state: DashboardState(), status: Self.status())
        #expect(!grid.text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0.value == 0x200B })
        #expect(grid.text.contains("ev␛[2Jil�knar�"))
        #expect(widths(grid) == Array(repeating: 120, count: 30))
    }

    @Test func wideCharactersTakeTwoCellsAndColumnsStayPut() {
        var lines: [String] = []
        for (k, user) in ["alice", "山田太郎@example.jp", "🙂emoji-user", "bob"].enumerated() {
            lines.append(#"{"kind":"Event","level":"Metadata","auditID":"w-\#(k)","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","user":{"username":"\#(user)"},"objectRef":{"resource":"pods"},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-03-14T09:00:0\#(k).000000Z"}"#)
        }
        let store = EventStore()
        store.ingest(text: lines.joined(separator: "\n"))
        var state = DashboardState()
        state.focus = .stream
        let grid = DashboardScreen.render(width: 100, height: 20, model: DashboardModel(store: store), state: state, status: Self.status())
        #expect(widths(grid) == Array(repeating: 100, count: 20))
        // "pods" (the resource column) starts at the same cell on every stream row.
        var starts: Set<Int> = []
        for row in 0..<grid.height {
            var cells: [Character] = []
            for x in 0..<grid.width where !grid[x, row].continuation { cells.append(grid[x, row].character) }
            let line = String(cells)
            guard line.contains("list"), let r = line.range(of: " pods") else { continue }
            var cell = 0
            for ch in line[..<r.lowerBound] { cell += CellWidth.of(String(ch)) }
            starts.insert(cell)
        }
        #expect(starts.count == 1)
        #expect(grid.text.contains("山田太郎"))
    }

    @Test func theDetailViewShowsTheRawEventOrSaysItsBodyWasDropped() {
        let store = Self.simulatedStore(2_000)
        let last = store.ring.nextSequence - 1
        var state = DashboardState()
        state.detail = DetailState(sequence: last)
        let grid = DashboardScreen.render(width: 80, height: 24, model: DashboardModel(store: store, detail: last), state: state, status: Self.status())
        #expect(grid.text.contains("\"kind\": \"Event\","))
        let small = EventStore(configuration: { var c = StoreConfiguration(); c.rawBudget = 4096; return c }())
        var sim = Simulator(seed: 9, incidentAfter: 1_000_000_000)
        for _ in 0..<50 { small.ingest(text: String(decoding: sim.next().line, as: UTF8.self)) }
        state.detail = DetailState(sequence: 0)
        let dropped = DashboardScreen.render(width: 80, height: 24, model: DashboardModel(store: small, detail: 0), state: state, status: Self.status())
        #expect(dropped.text.contains("raw JSON was dropped"))
        #expect(dropped.text.contains("\"verb\":"))
    }
}

@Suite struct TimelinePaneTests {
    @Test func theTimelineDrawsBarsDenialsTheCursorAndTheRange() {
        var model = DashboardModel()
        model.timeline = TimelineInfo(
            events: (0..<198).map { $0 % 10 == 0 ? 40 : 10 }, denied: (0..<198).map { $0 >= 150 ? 3 : 0 },
            first: Timestamp.parse("2026-03-14T09:00:00Z")!, last: Timestamp.parse("2026-03-14T09:10:00Z")!,
            cursor: Timestamp.parse("2026-03-14T09:05:00Z")!,
            rangeStart: Timestamp.parse("2026-03-14T09:01:00Z")!, rangeEnd: Timestamp.parse("2026-03-14T09:02:00Z")!)
        var state = DashboardState()
        state.timelineShown = true
        let grid = DashboardScreen.render(width: 200, height: 60, model: model, state: state, status: StatusInfo())
        let text = grid.text
        #expect(text.contains("─ 8 Timeline"))
        #expect(text.contains("09:00:00") && text.contains("09:10:00"))
        #expect(text.contains("▲") && text.contains("[") && text.contains("]"))
        #expect(text.contains("█"))
        // The cursor sits half-way along the axis.
        let axis = text.split(separator: "\n").first { $0.contains("▲") }!
        let column = axis.distance(from: axis.startIndex, to: axis.firstIndex(of: "▲")!)
        #expect(abs(column - 100) <= 2)
        // Below 160 columns it is tab 8.
        let narrow = DashboardScreen.render(width: 100, height: 30, model: model, state: state, status: StatusInfo())
        #expect(narrow.text.contains("8 Timeline"))
    }
}
