/// What a cell means, for colouring: panes say what a thing is, the theme says how it looks.
public enum Role: UInt8, CaseIterable, Sendable {
    case normal, dim, title, header, focusTitle, selected, good, warn, bad, accent, highlight, read, write, other,
        status, statusAlert, key
    case border, denied, unknownUser
    case severityInfo, severityLow, severityMedium, severityHigh, severityCritical
    case spark1, spark2, spark3, spark4
    case jsonKey, jsonString, jsonNumber, jsonBool, jsonNull

    /// One letter per role, for text snapshots of a grid's styles.
    public var letter: Character {
        Array("ndthfsgwbaHRWOSXkBDUilmqc1234KGNLZ")[Int(rawValue)]
    }

    /// The role's name in theme files (`Themes/README.md` lists them).
    public var themeName: String {
        switch self {
        case .normal: "text"
        case .dim: "muted"
        case .title: "title"
        case .header: "header"
        case .focusTitle: "focus"
        case .selected: "selection"
        case .good: "ok"
        case .warn: "warning"
        case .bad: "error"
        case .accent: "accent"
        case .highlight: "highlight"
        case .read: "read"
        case .write: "write"
        case .other: "other"
        case .status: "status"
        case .statusAlert: "statusAlert"
        case .key: "key"
        case .border: "border"
        case .denied: "denied"
        case .unknownUser: "unknownUser"
        case .severityInfo: "info"
        case .severityLow: "low"
        case .severityMedium: "medium"
        case .severityHigh: "high"
        case .severityCritical: "critical"
        case .spark1: "spark1"
        case .spark2: "spark2"
        case .spark3: "spark3"
        case .spark4: "spark4"
        case .jsonKey: "key"
        case .jsonString: "string"
        case .jsonNumber: "number"
        case .jsonBool: "bool"
        case .jsonNull: "null"
        }
    }

    /// The section of a theme file the role is in: `roles`, `severity`, `json` or `sparkline`.
    public var themeSection: String {
        switch self {
        case .severityInfo, .severityLow, .severityMedium, .severityHigh, .severityCritical: "severity"
        case .spark1, .spark2, .spark3, .spark4: "sparkline"
        case .jsonKey, .jsonString, .jsonNumber, .jsonBool, .jsonNull: "json"
        default: "roles"
        }
    }

    /// The sparkline roles, lowest level first.
    public static let sparkline: [Role] = [.spark1, .spark2, .spark3, .spark4]
}
