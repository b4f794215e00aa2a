/// What a cell means, for colouring: panes say what a thing is, the theme says how it looks.
public enum Role: UInt8, CaseIterable, Sendable {
    case normal, dim, title, header, focusTitle, selected, good, warn, bad, accent, highlight, read, write, other,
        status, statusAlert, key

    /// One letter per role, for text snapshots of a grid's styles.
    public var letter: Character {
        Array("ndthfsgwbaHRWOSXk")[Int(rawValue)]
    }
}
