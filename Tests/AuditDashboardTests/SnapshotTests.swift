import AuditCore
import AuditDashboard
import Foundation
import Testing

/// Golden snapshots: the screen as text, then its roles as letters, compared with files in
/// `Snapshots/`. Run with `AUDITTOP_UPDATE_SNAPSHOTS=1` to write them after a deliberate
/// change, and read the diff before committing.
@Suite struct SnapshotTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    /// The models every snapshot draws from, built once from one simulated store.
    static let models: [String: DashboardModel] = {
        let store = DashboardScreenTests.simulatedStore()
        let all = DashboardModel(store: store)
        store.setFilter(try! Filter.parse("ip=203.0.113.45"))
        let filtered = DashboardModel(store: store)
        store.setFilter(.all)
        return ["": all, "ip=203.0.113.45": filtered]
    }()

    func compare(_ name: String, _ grid: CellGrid) throws {
        try compareText(name, grid.text + "\n\n" + grid.roles + "\n")
    }

    func compareText(_ name: String, _ rendered: String) throws {
        let file = Self.folder.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["AUDITTOP_UPDATE_SNAPSHOTS"] == "1" {
            try rendered.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let stored = try String(contentsOf: file, encoding: .utf8)
        let a = stored.split(separator: "\n", omittingEmptySubsequences: false)
        let b = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        if let first = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            Issue.record("\(name): line \(first.offset + 1) differs\nstored:   \(first.element.0)\nrendered: \(first.element.1)")
        }
        #expect(a.count == b.count, "\(name): \(a.count) stored lines, \(b.count) rendered")
    }

    /// The screen with `configure`'s state; the focus starts on the Stream unless told
    /// (`firstScreen` draws the default one).
    func screen(_ width: Int, _ height: Int, _ configure: (inout DashboardState) -> Void = { _ in }) -> CellGrid {
        var state = DashboardState()
        state.focus = .stream
        state.fit(width: width, height: height)
        configure(&state)
        return DashboardScreen.render(
            width: width, height: height, model: Self.models[state.filterText]!,
            state: state, status: DashboardScreenTests.status())
    }

    /// What an admin sees with no key pressed: the strip with the attacker and the worst
    /// alert, and the Overview below 160 columns (every pane, Alerts with actors, from 160).
    func firstScreen(_ width: Int, _ height: Int) -> CellGrid {
        var state = DashboardState()
        state.fit(width: width, height: height)
        return DashboardScreen.render(width: width, height: height, model: Self.models[""]!, state: state,
                                      status: DashboardScreenTests.status())
    }

    @Test(arguments: [(80, 24), (120, 40), (160, 42), (200, 60)])
    func theFirstScreenTellsTheStory(width: Int, height: Int) throws {
        let grid = firstScreen(width, height)
        let strip = String(grid.text.split(separator: "\n", omittingEmptySubsequences: false)[1])
        #expect(strip.contains("CRIT Attach/E"), "\(strip)")
        #expect(strip.contains("sa:web/frontend"), "\(strip)")
        #expect(strip.contains("pods/exec"), "\(strip)")
        try compare("first-\(width)x\(height)", grid)
    }

    @Test func streamAt80x24() throws { try compare("stream-80x24", screen(80, 24)) }

    @Test func unknownUsersAt80x24() throws { try compare("unknown-80x24", screen(80, 24) { $0.focus = .unknownUsers }) }

    @Test func deniedGroupedAt80x24() throws {
        try compare("denied-grouped-80x24", screen(80, 24) { $0.focus = .denied; $0.deniedView = .grouped })
    }

    @Test func everythingAt200x60() throws { try compare("all-200x60", screen(200, 60)) }

    @Test func filteredAndPausedAt120x40() throws {
        try compare("filtered-paused-120x40", screen(120, 40) { $0.drillDown("ip=203.0.113.45"); $0.paused = true })
    }

    @Test func alertsAt80x24() throws { try compare("alerts-80x24", screen(80, 24) { $0.focus = .alerts }) }

    @Test func ratesCursorAt120x40() throws {
        try compare("rates-cursor-120x40", screen(120, 40) { $0.focus = .rates; $0.selection[.rates] = 5 })
    }

    @Test func helpAt80x24() throws { try compare("help-80x24", screen(80, 24) { $0.showHelp = true }) }
}

/// Each shipped theme on a representative screen, at 256 and 8 colours and with NO_COLOR: the
/// screen as text, its roles as letters, and how each letter is drawn in that theme at that
/// depth (colour values for ncurses, -1 the terminal's own, and attributes).
@Suite struct ThemeSnapshotTests {
    static let themes = ["default", "light", "high-contrast", "solarized-dark", "colorblind", "monochrome"]
    static let depths: [(ColourDepth, String)] = [(.c256, "256"), (.c8, "8"), (.none, "nocolor")]

    @Test(arguments: ThemeSnapshotTests.themes)
    func aScreenInEachThemeAtEachDepth(name: String) throws {
        let text = try String(contentsOf: ThemeTests.themesFolder.appendingPathComponent(name + ".yaml"), encoding: .utf8)
        let theme = try Theme.parse(yaml: text, file: name + ".yaml")
        var state = DashboardState()
        state.focus = .alerts
        let grid = DashboardScreen.render(width: 80, height: 24, model: SnapshotTests.models[""]!, state: state,
                                          status: DashboardScreenTests.status())
        let used = Set(grid.roles.filter { $0 != "\n" })
        for (depth, label) in Self.depths {
            let legend = Role.allCases.filter { used.contains($0.letter) }.map {
                "\($0.letter) \($0.themeSection).\($0.themeName): \(theme.resolved($0, at: depth))"
            }
            try SnapshotTests().compareText("theme-\(name)-\(label)", grid.text + "\n\n" + grid.roles + "\n\n" + legend.joined(separator: "\n") + "\n")
        }
    }
}

/// The war-room wall at a laptop, a large terminal and a 1080p screen, and an alert taking
/// it over.
@Suite struct WallSnapshotTests {
    /// A deterministic history: a minute of samples rising and falling.
    static var wall: WallInfo {
        var w = WallInfo()
        w.history[.eventsPerSecond] = (0..<120).map { 280 + 40 * sin(Double($0) / 7) }
        w.history[.deniedPerMinute] = (0..<120).map { Double(900 + ($0 * 37) % 300) }
        w.history[.unknownUsers] = (0..<120).map { Double(min(4, $0 / 30)) }
        w.history[.alerts] = (0..<120).map { Double($0 / 10) }
        w.pane = .alerts
        return w
    }

    func screen(_ width: Int, _ height: Int, takeover: Bool = false) -> CellGrid {
        var state = DashboardState()
        state.wall = true
        var wall = Self.wall
        let model = SnapshotTests.models[""]!
        if takeover { wall.takeover = model.alerts.first { $0.severity >= .high } }
        return DashboardScreen.render(width: width, height: height, model: model, state: state,
                                      status: DashboardScreenTests.status(), wall: wall)
    }

    @Test func wallAt80x24() throws { try SnapshotTests().compare("wall-80x24", screen(80, 24)) }
    @Test func wallAt120x40() throws { try SnapshotTests().compare("wall-120x40", screen(120, 40)) }
    @Test func wallAt240x67() throws { try SnapshotTests().compare("wall-240x67", screen(240, 67)) }
    @Test func anAlertTakesOverTheWall() throws {
        let grid = screen(120, 40, takeover: true)
        #expect(grid.text.contains("CRITICAL ALERT") || grid.text.contains("HIGH ALERT"))
        try SnapshotTests().compare("wall-takeover-120x40", grid)
    }

    @Test func theCountersAreTheModelsNumbersInBigDigits() throws {
        let model = SnapshotTests.models[""]!
        let counters = WallScreen.counters(model, Self.wall)
        #expect(counters.map(\.label) == ["EVENTS/S", "DENIED/MIN", "UNKNOWN USERS", "ALERTS"])
        #expect(counters[2].value == Double(model.unknownUsers.count))
        #expect(counters[3].value == Double(model.alerts.reduce(0) { $0 + $1.count }))
        #expect(BigDigits.format(842) == "842")
        #expect(BigDigits.format(12_345) == "12.3k")
        #expect(BigDigits.format(245_000) == "245k")
        #expect(BigDigits.format(1_250_000) == "1.2M")
        // The unknown-users counter is the model's count in block digits: five rows high at
        // 120x40, ten (each cell doubled) at 240x67. The glyphs are written out here by hand.
        let six = ["████", "█   ", "████", "█  █", "████"]
        #expect(model.unknownUsers.count == 6)
        for (width, height, scale) in [(120, 40, 1), (240, 67, 2)] {
            let rows = screen(width, height).text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
            let labelRow = try #require(rows.firstIndex { String($0).contains("UNKNOWN USERS") })
            let x = try #require(String(rows[labelRow]).range(of: "UNKNOWN USERS")).lowerBound.utf16Offset(in: String(rows[labelRow]))
            let expected = six.flatMap { line in
                Array(repeating: String(line.flatMap { Array(repeating: $0, count: scale) }), count: scale)
            }
            let drawn = (0..<5 * scale).map { String(rows[labelRow + 1 + $0][x..<(x + 4 * scale)]) }
            #expect(drawn == expected, "\(width)x\(height)")
        }
        #expect(BigDigits.scale(width: 240, height: 65) == 2 && BigDigits.scale(width: 80, height: 22) == 1)
    }
}
