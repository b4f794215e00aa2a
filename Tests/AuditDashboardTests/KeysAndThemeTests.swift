import AuditDashboard
import Foundation
import Testing

@Suite struct KeyHandlingTests {
    let rows: [PaneID: Int] = [.stream: 100, .denied: 5, .unknownUsers: 2, .top: 10, .latency: 4]

    @Test func numberKeysTabAndShiftTabMoveFocus() {
        var s = DashboardState()
        #expect(s.focus == .overview)
        #expect(s.handle(.character("2"), rows: rows) == .redraw)
        #expect(s.focus == .denied)
        _ = s.handle(.tab, rows: rows)
        #expect(s.focus == .unknownUsers)
        _ = s.handle(.backTab, rows: rows)
        _ = s.handle(.backTab, rows: rows)
        _ = s.handle(.backTab, rows: rows)
        // The Overview is the first tab, 0.
        #expect(s.focus == .overview)
        _ = s.handle(.backTab, rows: rows)
        // Back past the first pane wraps to the last: Alerts (Timeline only while replaying).
        #expect(s.focus == .alerts)
        _ = s.handle(.character("0"), rows: rows)
        #expect(s.focus == .overview)
        // From 160x30 every pane is tiled: no Overview, and its focus moves to the Alerts.
        s.fit(width: 160, height: 42)
        #expect(s.focus == .alerts && !s.panes.contains(.overview))
        _ = s.handle(.character("0"), rows: rows)
        #expect(s.focus == .alerts)
        _ = s.handle(.character("8"), rows: rows)
        #expect(s.focus == .alerts)
    }

    @Test func selectionMovesAndStaysInsideThePane() {
        var s = DashboardState()
        s.focus = .stream
        _ = s.handle(.down, rows: rows)
        _ = s.handle(.character("j"), rows: rows)
        #expect(s.selected(.stream) == 2)
        _ = s.handle(.pageDown, rows: rows, page: 50)
        _ = s.handle(.pageDown, rows: rows, page: 50)
        #expect(s.selected(.stream) == 99)
        _ = s.handle(.character("g"), rows: rows)
        #expect(s.selected(.stream) == 0)
        _ = s.handle(.up, rows: rows)
        #expect(s.selected(.stream) == 0)
        _ = s.handle(.character("G"), rows: rows)
        #expect(s.selected(.stream) == 99)
    }

    @Test func slashTypesAFilterThatEnterAppliesAndEscapeClears() {
        var s = DashboardState()
        _ = s.handle(.character("/"), rows: rows)
        for c in "evil" { _ = s.handle(.character(c), rows: rows) }
        _ = s.handle(.backspace, rows: rows)
        #expect(s.prompt == "evi" && s.filterTerms.isEmpty)
        _ = s.handle(.enter, rows: rows)
        #expect(s.filterTerms.map(\.text) == ["evi"] && s.prompt == nil)
        // q inside the prompt is text, not quit.
        _ = s.handle(.character("/"), rows: rows)
        #expect(s.prompt == "evi")
        #expect(s.handle(.character("q"), rows: rows) == .redraw)
        _ = s.handle(.escape, rows: rows)
        #expect(s.filterTerms.map(\.text) == ["evi"])
        _ = s.handle(.escape, rows: rows)
        #expect(s.filterTerms.isEmpty)
    }

    @Test func aFilterWithAMistakeStaysOpenAndSaysWhere() {
        var s = DashboardState()
        _ = s.handle(.character("/"), rows: rows)
        for c in "usr=bob" { _ = s.handle(.character(c), rows: rows) }
        _ = s.handle(.enter, rows: rows)
        #expect(s.prompt == "usr=bob")
        #expect(s.promptError?.hasPrefix("column 1: unknown field 'usr'") == true)
        #expect(s.filterTerms.isEmpty)
        // Typing clears the error; an empty filter clears the filter.
        _ = s.handle(.backspace, rows: rows)
        #expect(s.promptError == nil)
        s.prompt = ""
        s.drillDown("verb=get")
        _ = s.handle(.enter, rows: rows)
        #expect(s.filterTerms.isEmpty && s.prompt == nil)
    }

    @Test func historyWithUpAndDown() {
        var s = DashboardState()
        for text in ["verb=get", "user=bob"] {
            _ = s.handle(.character("/"), rows: rows)
            s.prompt = text
            _ = s.handle(.enter, rows: rows)
        }
        #expect(s.history == ["verb=get", "user=bob"])
        _ = s.handle(.character("/"), rows: rows)
        _ = s.handle(.up, rows: rows)
        #expect(s.prompt == "user=bob")
        _ = s.handle(.up, rows: rows)
        #expect(s.prompt == "verb=get")
        _ = s.handle(.up, rows: rows)
        #expect(s.prompt == "verb=get")
        _ = s.handle(.down, rows: rows)
        #expect(s.prompt == "user=bob")
        _ = s.handle(.down, rows: rows)
        #expect(s.prompt == "")
    }

    @Test func drillDownsAreBreadcrumbsThatBackspaceUndoes() {
        var s = DashboardState()
        s.drillDown("verb=get or verb=list")
        s.drillDown("user=bob")
        s.drillDown("ns=kube-system")
        #expect(s.filterText == "(verb=get or verb=list) user=bob ns=kube-system")
        _ = s.handle(.backspace, rows: rows)
        #expect(s.filterTerms.map(\.text) == ["verb=get or verb=list", "user=bob"])
        _ = s.handle(.backspace, rows: rows)
        _ = s.handle(.backspace, rows: rows)
        #expect(s.filterTerms.isEmpty)
        #expect(s.handle(.backspace, rows: rows) == .none)
    }

    @Test func colonRunsACommandAndTabCompletes() {
        var s = DashboardState()
        _ = s.handle(.character(":"), rows: rows)
        for c in "exp" { _ = s.handle(.character(c), rows: rows) }
        _ = s.handle(.tab, rows: rows)
        #expect(s.prompt == "export ")
        for c in "/tmp/x.jsonl" { _ = s.handle(.character(c), rows: rows) }
        #expect(s.handle(.enter, rows: rows) == .command("export /tmp/x.jsonl"))
        #expect(s.prompt == nil)
        #expect(Completion.complete("filter us", command: true) == "filter user=")
        #expect(Completion.complete("verb=get -na", command: false) == "verb=get -name=")
        #expect(Completion.complete("s", command: false) == "s")  // source, stage, subresource: nothing in common beyond s
        #expect(Completion.complete("su", command: false) == "subresource=")
        #expect(Completion.complete("(us", command: false) == "(user=")
        #expect(Completion.complete("q", command: true) == "q ")
    }

    @Test func spacePausesAndQuitAndInterruptQuit() {
        var s = DashboardState()
        _ = s.handle(.character(" "), rows: rows)
        #expect(s.paused)
        #expect(s.handle(.character("q"), rows: rows) == .quit)
        #expect(s.handle(.interrupt, rows: rows) == .quit)
    }

    @Test func theDetailViewScrollsSearchesAndGoesBack() {
        var s = DashboardState()
        s.detail = DetailState(sequence: 7)
        let text = (0..<40).map { $0 == 30 || $0 == 35 ? "\"user\": \"mallory\"" : "line \($0)" }
        let lines = DetailLayout(lines: text.map { [($0, Role.normal)] }, width: 80, wrap: true, page: 4)
        _ = s.handle(.character("/"), rows: rows, detail: lines)
        for c in "MALLORY" { _ = s.handle(.character(c), rows: rows, detail: lines) }
        _ = s.handle(.enter, rows: rows, detail: lines)
        #expect(s.detail?.scroll == 30)
        _ = s.handle(.character("n"), rows: rows, detail: lines)
        #expect(s.detail?.scroll == 35)
        _ = s.handle(.character("N"), rows: rows, detail: lines)
        #expect(s.detail?.scroll == 30)
        // G stops at the last screenful, not at the last line.
        _ = s.handle(.end, rows: rows, detail: lines)
        #expect(s.detail?.scroll == 36)
        _ = s.handle(.escape, rows: rows, detail: lines)
        #expect(s.detail == nil)
    }

    @Test func windowTopListAndDeniedViewSwitch() {
        var s = DashboardState()
        _ = s.handle(.character("r"), rows: rows)
        #expect(s.rateWindow == .tenMinutes)
        _ = s.handle(.character("w"), rows: rows)
        #expect(s.wall)
        _ = s.handle(.character("w"), rows: rows)
        #expect(!s.wall)
        _ = s.handle(.character("v"), rows: rows)
        #expect(s.deniedView == .latest)
        s.focus = .top
        _ = s.handle(.right, rows: rows)
        #expect(s.topDimension == .resources)
        _ = s.handle(.left, rows: rows)
        _ = s.handle(.left, rows: rows)
        #expect(s.topDimension == .sources)
        _ = s.handle(.character("?"), rows: rows)
        #expect(s.showHelp)
        _ = s.handle(.character("x"), rows: rows)
        #expect(!s.showHelp)
    }
}

@Suite struct ThemeTests {
    static var themesFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Themes")
    }

    @Test func theShippedDefaultThemeIsTheBuiltInFallback() throws {
        let text = try String(contentsOf: Self.themesFolder.appendingPathComponent("default.yaml"), encoding: .utf8)
        var parsed = try Theme.parse(yaml: text)
        #expect(parsed.name == "default")
        parsed.name = Theme.builtin.name
        #expect(parsed == Theme.builtin)
    }

    @Test func everyShippedThemeParsesAndNamesItself() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.themesFolder.path).filter { $0.hasSuffix(".yaml") }
        #expect(Set(files) == ["default.yaml", "light.yaml", "high-contrast.yaml", "solarized-dark.yaml", "colorblind.yaml", "monochrome.yaml"])
        for file in files {
            let text = try String(contentsOf: Self.themesFolder.appendingPathComponent(file), encoding: .utf8)
            let theme = try Theme.parse(yaml: text, file: file)
            #expect(theme.name + ".yaml" == file)
            #expect(!theme.description.isEmpty)
            // Every role is set by every theme, so no theme leans on another's look.
            #expect(Set(theme.styles.keys) == Set(Role.allCases), "\(file)")
        }
    }

    @Test func monochromeHasNoColourAndStillTellsRolesApart() throws {
        let text = try String(contentsOf: Self.themesFolder.appendingPathComponent("monochrome.yaml"), encoding: .utf8)
        let mono = try Theme.parse(yaml: text)
        for depth in ColourDepth.allCases {
            for role in Role.allCases {
                let r = mono.resolved(role, at: depth)
                #expect(r.foreground == -1 && r.background == -1)
            }
        }
        let look = { (role: Role) in mono.resolved(role, at: .c256) }
        #expect(look(.selected).reverse && look(.status).reverse && look(.severityCritical).reverse)
        #expect(look(.bad).bold && look(.bad).underline && look(.denied).underline)
        #expect(look(.dim).dim && !look(.normal).bold)
    }

    @Test func colorblindNeverTellsOkFromErrorByRedAndGreenAlone() throws {
        let text = try String(contentsOf: Self.themesFolder.appendingPathComponent("colorblind.yaml"), encoding: .utf8)
        let theme = try Theme.parse(yaml: text)
        for depth in [ColourDepth.direct, .c256, .c8] {
            // Errors and denials carry an attribute besides their colour.
            for role in [Role.bad, .denied, .severityHigh] {
                let r = theme.resolved(role, at: depth)
                #expect(r.bold || r.underline || r.reverse, "\(role) at \(depth)")
            }
            // No role is drawn in the basic green: ok is blue.
            if depth == .c8 {
                for role in Role.allCases { #expect(theme.resolved(role, at: depth).foreground != 2, "\(role)") }
            }
        }
    }

    @Test func coloursFallBackFromTwentyFourBitTo256To8ToNone() {
        let orange = Colour.rgb(0xE6, 0x9F, 0x00)
        #expect(orange.value(at: .direct) == 0xE69F00)
        #expect(orange.value(at: .c256) == 178)
        #expect(orange.value(at: .c8) == 3)
        #expect(orange.value(at: .none) == -1)
        #expect(Colour.indexed(196).value(at: .c8) == 1)
        #expect(Colour.indexed(21).value(at: .direct) == 0x0000FF)
        #expect(Colour.terminal.value(at: .c256) == -1)
        #expect(Colour.parse("bright-blue") == .indexed(12))
        #expect(Colour.parse("#002b36") == .rgb(0, 0x2b, 0x36))
        #expect(Colour.parse(300) == nil && Colour.parse("purple-ish") == nil)
    }

    @Test(arguments: [(196, 1), (46, 2), (21, 4), (231, 7), (16, 0), (3, 3), (12, 4), (244, 0), (250, 7)])
    func colourIndicesFallBackToTheNearestBasicColour(_ index: Int, _ basic: Int) {
        #expect(Colour.basic(index) == basic)
    }

    @Test(arguments: [
        ("roles:\n  shouting: {fg: 1}\n", "t.yaml:2: role 'shouting': unknown role in roles"),
        ("roles:\n  error: {fg: 300}\n", "t.yaml:2: role 'error': fg must be a colour"),
        ("name: x\nroles:\n  ok: {fg: green, blink: true}\n", "t.yaml:3: role 'ok': unknown attribute 'blink'"),
        ("severity:\n  dire: {bold: true}\n", "t.yaml:2: role 'dire': unknown role in severity"),
        ("sparkline: [1, 2]\n", "t.yaml:1: role 'sparkline': sparkline is a list of 4 colours"),
        ("colours: {}\n", "t.yaml:1: unknown key 'colours'"),
        ("roles: [\n", "t.yaml:2: not valid YAML"),
    ])
    func aBrokenThemeNamesTheFileLineAndRole(text: String, message: String) {
        do {
            _ = try Theme.parse(yaml: text, file: "t.yaml")
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error)")
        }
    }

    @Test func theLibraryFindsThemesInOrderAndFallsBackOnABrokenOne() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-themes-\(UUID().uuidString)")
        let mine = root.appendingPathComponent("config/audittop/themes")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try "name: light\ndescription: my own light\n".write(to: mine.appendingPathComponent("light.yaml"), atomically: true, encoding: .utf8)
        try "roles:\n  error: {fg: 999}\n".write(to: mine.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let library = ThemeLibrary.standard(configFolder: root.appendingPathComponent("config/audittop").path,
                                            binary: Self.themesFolder.deletingLastPathComponent().path + "/.build/debug/audittop")
        // The user's folder comes first; the package's Themes/ after it.
        #expect(library.load("light").theme.description == "my own light")
        #expect(library.load("solarized-dark").theme.name == "solarized-dark")
        #expect(library.names.starts(with: ["default"]))
        #expect(Set(library.names).isSuperset(of: ["light", "high-contrast", "colorblind", "monochrome", "broken"]))
        let (fallback, warning) = library.load("broken")
        #expect(fallback == .builtin)
        #expect(warning?.contains("broken.yaml:2: role 'error': fg must be a colour") == true)
        #expect(warning?.hasSuffix("using the default theme") == true)
        #expect(library.load("nope").warning?.hasPrefix("no theme 'nope'") == true)
        #expect(library.load(Self.themesFolder.appendingPathComponent("light.yaml").path).theme.name == "light")
    }
}

@Suite struct MouseTests {
    let rows: [PaneID: Int] = [.stream: 100, .denied: 5, .unknownUsers: 2, .top: 10, .latency: 4]

    @Test func aClickOnATabFocusesItsPane() {
        var s = DashboardState()
        // No counts: the tabs are padded (" 0 Overview  1 Rates  2 Denied  3 Unknown users …").
        let x = CellWidth_of(" 0 Overview  1 Rates  2 Denied ") + 2
        #expect(s.click(x: x, y: DashboardScreen.tabRow, width: 80, height: 24, rows: rows) == .redraw)
        #expect(s.focus == .unknownUsers)
        // With counts the tabs close up, and a click finds them where they are drawn.
        let counts: [PaneID: String] = [.overview: "3!", .denied: "1199", .unknownUsers: "4", .alerts: "3!"]
        let tight = CellWidth_of("0 Overview 3! 1 Rates 2 Denied 1199 3 Unknown 4 ") + 1
        #expect(s.click(x: tight, y: DashboardScreen.tabRow, width: 80, height: 24, rows: rows, tabCounts: counts) == .redraw)
        #expect(s.focus == .stream)
    }

    @Test func aClickInATileFocusesItAndSelectsTheRowUnderThePointer() {
        var s = DashboardState()
        let denied = DashboardScreen.paneRects(width: 200, height: 60, state: s)[.denied]!
        // Box edge, then header, then rows 0, 1, 2...
        _ = s.click(x: denied.x + 5, y: denied.y + 4, width: 200, height: 60, rows: rows)
        #expect(s.focus == .denied)
        #expect(s.selected(.denied) == 2)
        let stream = DashboardScreen.paneRects(width: 200, height: 60, state: s)[.stream]!
        _ = s.click(x: stream.x + 10, y: stream.y + 2, width: 200, height: 60, rows: rows)
        #expect(s.focus == .stream && s.selected(.stream) == 0)
    }

    private func CellWidth_of(_ s: String) -> Int { s.count }
}
