import Yams

/// How each `Role` looks: colours (256-colour indices, -1 for the terminal's default) and
/// attributes. Read from a theme file, with a built-in default so a missing file still runs.
public struct Theme: Sendable, Equatable {
    public struct Style: Sendable, Equatable {
        public var foreground = -1
        public var background = -1
        public var bold = false
        public var dim = false
        public var reverse = false
        public var underline = false

        public init(foreground: Int = -1, background: Int = -1, bold: Bool = false, dim: Bool = false,
                    reverse: Bool = false, underline: Bool = false) {
            self.foreground = foreground
            self.background = background
            self.bold = bold
            self.dim = dim
            self.reverse = reverse
            self.underline = underline
        }
    }

    public var name: String
    public var styles: [Role: Style]

    /// The built-in default: readable on dark and light backgrounds.
    public static let builtin = Theme(name: "default", styles: [
        .normal: Style(), .dim: Style(foreground: 244, dim: true), .title: Style(foreground: 75, bold: true),
        .header: Style(foreground: 250, bold: true, underline: true), .focusTitle: Style(foreground: 214, bold: true),
        .selected: Style(reverse: true), .good: Style(foreground: 114), .warn: Style(foreground: 214),
        .bad: Style(foreground: 203, bold: true), .accent: Style(foreground: 75), .highlight: Style(foreground: 226, bold: true),
        .read: Style(foreground: 114), .write: Style(foreground: 75), .other: Style(foreground: 176),
        .status: Style(foreground: 231, background: 24), .statusAlert: Style(foreground: 231, background: 124, bold: true),
        .key: Style(foreground: 214, bold: true),
    ])

    /// The style of `role` (the normal style when the theme leaves it out).
    public func style(_ role: Role) -> Style { styles[role] ?? styles[.normal] ?? Style() }

    /// Reads a theme file: `name:` and `roles:` mapping role names (`bad`, `status`, ...) to
    /// `{fg, bg, bold, dim, reverse, underline}`; colours are 0-255 or `default`. Roles the
    /// file leaves out keep the built-in look.
    public static func parse(yaml text: String) throws -> Theme {
        guard let root = try Yams.load(yaml: text) as? [String: Any] else {
            throw ThemeError("a theme file is a mapping with `name` and `roles`")
        }
        var theme = Theme.builtin
        theme.name = root["name"] as? String ?? "custom"
        let roles = root["roles"] as? [String: Any] ?? [:]
        for (key, value) in roles {
            guard let role = Role.allCases.first(where: { "\($0)" == key }) else {
                throw ThemeError("unknown role '\(key)'; roles are \(Role.allCases.map { "\($0)" }.joined(separator: ", "))")
            }
            guard let fields = value as? [String: Any] else { throw ThemeError("role '\(key)' needs a mapping") }
            func colour(_ name: String) throws -> Int {
                guard let v = fields[name] else { return -1 }
                if let s = v as? String, s == "default" { return -1 }
                guard let n = v as? Int, (0...255).contains(n) else {
                    throw ThemeError("\(key).\(name) must be 0-255 or default")
                }
                return n
            }
            theme.styles[role] = Style(
                foreground: try colour("fg"), background: try colour("bg"), bold: fields["bold"] as? Bool ?? false,
                dim: fields["dim"] as? Bool ?? false, reverse: fields["reverse"] as? Bool ?? false,
                underline: fields["underline"] as? Bool ?? false)
        }
        return theme
    }

    /// The nearest of the 8 basic colours for a 256-colour index, for 8-colour terminals.
    public static func basic(_ colour: Int) -> Int {
        guard colour >= 8 else { return colour }
        if colour < 16 { return colour - 8 }
        var r = 0, g = 0, b = 0
        if colour >= 232 {
            let level = (colour - 232) * 10 + 8
            r = level; g = level; b = level
        } else {
            let c = colour - 16
            let steps = [0, 95, 135, 175, 215, 255]
            r = steps[c / 36]; g = steps[(c / 6) % 6]; b = steps[c % 6]
        }
        let bits = (r > 127 ? 1 : 0) | (g > 127 ? 2 : 0) | (b > 127 ? 4 : 0)
        return bits
    }
}

/// A theme file that could not be used, and why.
public struct ThemeError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}
