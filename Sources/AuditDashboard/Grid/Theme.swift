import Yams

/// A colour as a theme gives it: the terminal's own, one of the 256 indexed colours, or 24-bit.
public enum Colour: Sendable, Equatable, CustomStringConvertible {
    case terminal
    case indexed(Int)
    case rgb(Int, Int, Int)

    static let names = [
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white", "bright-black", "bright-red", "bright-green",
        "bright-yellow", "bright-blue", "bright-magenta", "bright-cyan", "bright-white",
    ]

    /// `default`, a name (`red`, `bright-blue`, `grey`), 0-255, or `#rrggbb`.
    public static func parse(_ value: Any) -> Colour? {
        if let n = value as? Int { return (0...255).contains(n) ? .indexed(n) : nil }
        guard let text = (value as? String)?.lowercased() else { return nil }
        if text == "default" { return .terminal }
        if text == "grey" || text == "gray" { return .indexed(8) }
        if let n = names.firstIndex(of: text) { return .indexed(n) }
        if let n = Int(text) { return (0...255).contains(n) ? .indexed(n) : nil }
        if text.hasPrefix("#"), text.count == 7, let v = Int(text.dropFirst(), radix: 16) {
            return .rgb((v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF)
        }
        return nil
    }

    public var description: String {
        switch self {
        case .terminal: "default"
        case .indexed(let n): String(n)
        case .rgb(let r, let g, let b): "#" + [r, g, b].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
    }

    /// The colour as a terminal of `depth` takes it: -1 for the terminal's own; a 24-bit
    /// value (`0xRRGGBB`) for direct colour; else the nearest index of 256 or of the 8 basic.
    public func value(at depth: ColourDepth) -> Int {
        switch (self, depth) {
        case (.terminal, _), (_, .none): return -1
        case (.rgb(let r, let g, let b), .direct): return r << 16 | g << 8 | b
        case (.indexed(let n), .direct): return Colour.rgbOf(n).map { $0.0 << 16 | $0.1 << 8 | $0.2 }!
        case (.indexed(let n), .c256): return n
        case (.rgb(let r, let g, let b), .c256): return Colour.nearest256(r, g, b)
        case (.indexed(let n), .c8): return Colour.basic(n)
        case (.rgb(let r, let g, let b), .c8): return Colour.basic(Colour.nearest256(r, g, b))
        }
    }

    /// The RGB of an indexed colour (xterm's palette).
    static func rgbOf(_ n: Int) -> (Int, Int, Int)? {
        switch n {
        case 0..<16:
            let base = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
                        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
                        (255, 255, 255)]
            return base[n]
        case 16..<232:
            let steps = [0, 95, 135, 175, 215, 255]
            let c = n - 16
            return (steps[c / 36], steps[(c / 6) % 6], steps[c % 6])
        case 232..<256:
            let level = (n - 232) * 10 + 8
            return (level, level, level)
        default: return nil
        }
    }

    /// The nearest of the 256 indexed colours (the 6x6x6 cube or the grey ramp) to an RGB.
    static func nearest256(_ r: Int, _ g: Int, _ b: Int) -> Int {
        func distance(_ n: Int) -> Int {
            let (x, y, z) = rgbOf(n)!
            return (x - r) * (x - r) + (y - g) * (y - g) + (z - b) * (z - b)
        }
        return (16..<256).min { distance($0) < distance($1) }!
    }

    /// The nearest of the 8 basic colours to an indexed colour.
    public static func basic(_ colour: Int) -> Int {
        guard colour >= 8 else { return colour }
        if colour < 16 { return colour - 8 }
        let (r, g, b) = rgbOf(colour)!
        // A dark grey stays dark rather than becoming white or black at random.
        if r == g && g == b { return r > 160 ? 7 : 0 }
        let top = max(r, g, b)
        // Channels near the strongest one are on: orange → yellow, sky blue → cyan.
        let on = { (c: Int) in c * 2 > top && c > 80 }
        return (on(r) ? 1 : 0) | (on(g) ? 2 : 0) | (on(b) ? 4 : 0)
    }
}

/// How many colours the terminal shows: 24-bit, 256, the 8 basic, or none (attributes only).
public enum ColourDepth: String, Sendable, CaseIterable {
    case direct, c256 = "256", c8 = "8", none
}

/// How each `Role` looks. Read from a theme file (`Themes/README.md` describes the format),
/// with a built-in default so a missing file still runs.
public struct Theme: Sendable, Equatable {
    public struct Style: Sendable, Equatable {
        public var foreground = Colour.terminal
        public var background = Colour.terminal
        public var bold = false
        public var dim = false
        public var reverse = false
        public var underline = false

        public init(foreground: Colour = .terminal, background: Colour = .terminal, bold: Bool = false, dim: Bool = false,
                    reverse: Bool = false, underline: Bool = false) {
            self.foreground = foreground
            self.background = background
            self.bold = bold
            self.dim = dim
            self.reverse = reverse
            self.underline = underline
        }
    }

    /// A style as the terminal draws it at one colour depth: colour values for ncurses (-1 the
    /// terminal's own) and attributes.
    public struct Resolved: Sendable, Equatable, CustomStringConvertible {
        public var foreground: Int
        public var background: Int
        public var bold, dim, reverse, underline: Bool

        public var description: String {
            let attributes = [bold ? "bold" : nil, dim ? "dim" : nil, reverse ? "reverse" : nil, underline ? "underline" : nil]
                .compactMap { $0 }
            return "fg \(foreground) bg \(background)" + (attributes.isEmpty ? "" : " " + attributes.joined(separator: " "))
        }
    }

    public var name: String
    public var description = ""
    /// The screen's background; roles without a background of their own are drawn on it.
    public var background = Colour.terminal
    public var styles: [Role: Style]

    public init(name: String, description: String = "", background: Colour = .terminal, styles: [Role: Style]) {
        self.name = name
        self.description = description
        self.background = background
        self.styles = styles
    }

    /// The built-in default (dark), the same as `Themes/default.yaml`.
    public static let builtin: Theme = {
        func s(_ fg: Int, bg: Int? = nil, bold: Bool = false, dim: Bool = false, reverse: Bool = false, underline: Bool = false) -> Style {
            Style(foreground: fg < 0 ? .terminal : .indexed(fg), background: bg.map(Colour.indexed) ?? .terminal, bold: bold, dim: dim,
                  reverse: reverse, underline: underline)
        }
        return Theme(name: "default", description: "dark, for 256-colour terminals", styles: [
            .normal: Style(), .dim: s(244, dim: true), .title: s(75, bold: true), .header: s(250, bold: true, underline: true),
            .focusTitle: s(214, bold: true), .selected: Style(reverse: true), .good: s(114), .warn: s(214), .bad: s(203, bold: true),
            .accent: s(75), .highlight: s(226, bold: true), .read: s(114), .write: s(75), .other: s(176),
            .status: s(231, bg: 24), .statusAlert: s(231, bg: 124, bold: true), .key: s(214, bold: true),
            .border: s(240), .denied: s(203, bold: true), .unknownUser: s(226, bold: true),
            .severityInfo: s(244), .severityLow: s(117), .severityMedium: s(214, bold: true), .severityHigh: s(203, bold: true),
            .severityCritical: s(231, bg: 124, bold: true),
            .spark1: s(31), .spark2: s(38), .spark3: s(214), .spark4: s(203, bold: true),
            .jsonKey: s(75), .jsonString: s(114), .jsonNumber: s(214), .jsonBool: s(226), .jsonNull: s(244),
        ])
    }()

    /// The style of `role` (the text style when the theme leaves it out), on the background.
    public func style(_ role: Role) -> Style {
        var style = styles[role] ?? styles[.normal] ?? Style()
        if style.background == .terminal { style.background = background }
        return style
    }

    /// How `role` is drawn at `depth`. Without colour, attributes stand in for it: roles that
    /// colour alone would tell apart get reverse, bold or underline.
    public func resolved(_ role: Role, at depth: ColourDepth) -> Resolved {
        let s = style(role)
        var r = Resolved(foreground: s.foreground.value(at: depth), background: s.background.value(at: depth), bold: s.bold,
                         dim: s.dim, reverse: s.reverse, underline: s.underline)
        guard depth == .none else { return r }
        switch role {
        case .selected, .status, .statusAlert, .severityCritical, .severityHigh: r.reverse = true
        default: break
        }
        switch role {
        case .bad, .denied, .focusTitle, .highlight, .key, .title, .statusAlert, .severityCritical, .severityHigh, .severityMedium,
            .unknownUser, .spark4:
            r.bold = true
        case .dim, .severityInfo, .border, .jsonNull, .spark1: r.dim = true
        case .header, .jsonKey: r.underline = true
        default: break
        }
        return r
    }

    /// Reads a theme file (see `Themes/README.md`). Roles the file leaves out keep the
    /// built-in look. A mistake names `file`, its line and the role.
    public static func parse(yaml text: String, file: String = "theme") throws(ThemeError) -> Theme {
        func fail(_ node: Node?, _ role: String?, _ message: String) -> ThemeError {
            ThemeError(file: file, line: node?.mark?.line ?? 1, role: role, message: message)
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ThemeError(file: file, line: ThemeError.line(of: error), role: nil, message: "not valid YAML")
        }
        guard let top = root?.mapping else { throw fail(root, nil, "a theme file is a mapping with name and roles") }
        var theme = Theme.builtin
        theme.name = "custom"
        theme.description = ""
        func style(_ node: Node, _ role: String) throws(ThemeError) -> Style {
            guard let fields = node.mapping else { throw fail(node, role, "a style is a mapping like {fg: 203, bold: true}") }
            var s = Style()
            for (key, value) in fields {
                switch key.string {
                case "fg", "bg":
                    guard let c = value.any.flatMap(Colour.parse) else {
                        throw fail(value, role, "\(key.string!) must be a colour: a name (red, bright-blue), 0-255, #rrggbb or default")
                    }
                    if key.string == "fg" { s.foreground = c } else { s.background = c }
                case "bold", "dim", "reverse", "underline":
                    guard let b = value.bool else { throw fail(value, role, "\(key.string!) is true or false") }
                    switch key.string {
                    case "bold": s.bold = b
                    case "dim": s.dim = b
                    case "reverse": s.reverse = b
                    default: s.underline = b
                    }
                default:
                    throw fail(key, role, "unknown attribute '\(key.string ?? "?")'; a style has fg, bg, bold, dim, reverse, underline")
                }
            }
            return s
        }
        for (key, value) in top {
            switch key.string {
            case "name": theme.name = value.string ?? theme.name
            case "description": theme.description = value.string ?? ""
            case "background":
                guard let c = value.any.flatMap(Colour.parse) else { throw fail(value, "background", "not a colour") }
                theme.background = c
            case "roles", "severity", "json":
                let section = key.string!
                guard let entries = value.mapping else { throw fail(value, nil, "\(section) is a mapping of role names to styles") }
                for (name, styleNode) in entries {
                    let roleName = name.string ?? "?"
                    guard let role = Role.allCases.first(where: { $0.themeSection == section && $0.themeName == roleName }) else {
                        let known = Role.allCases.filter { $0.themeSection == section }.map(\.themeName)
                        throw fail(name, roleName, "unknown role in \(section); roles: \(known.joined(separator: ", "))")
                    }
                    theme.styles[role] = try style(styleNode, roleName)
                }
            case "sparkline":
                guard let list = value.sequence, list.count == Role.sparkline.count else {
                    throw fail(value, "sparkline", "sparkline is a list of \(Role.sparkline.count) colours, lowest level first")
                }
                for (k, item) in list.enumerated() {
                    if item.mapping != nil {
                        theme.styles[Role.sparkline[k]] = try style(item, "spark\(k + 1)")
                        continue
                    }
                    guard let c = item.any.flatMap(Colour.parse) else { throw fail(item, "sparkline", "not a colour or a style") }
                    theme.styles[Role.sparkline[k]] = Style(foreground: c, bold: k == list.count - 1)
                }
            default:
                throw fail(key, nil, "unknown key '\(key.string ?? "?")'; a theme has name, description, background, roles, severity, json, sparkline")
            }
        }
        return theme
    }
}

extension Node {
    /// The scalar as YAML reads it: an Int when it is one, else its text.
    var any: Any? {
        guard let s = scalar else { return nil }
        if s.style == .plain, let n = Int(s.string) { return n }
        return s.string
    }
}

/// A theme file that could not be used: the file, the line, the role, and why.
public struct ThemeError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var role: String?
    public var message: String

    public var description: String { "\(file):\(line): " + (role.map { "role '\($0)': " } ?? "") + message }

    static func line(of error: any Error) -> Int {
        guard let yaml = error as? YamlError else { return 1 }
        switch yaml {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }
}
