import AuditCore

/// What goes into a `DashboardSession`: the person's input and the clock. Data arrives
/// through `DashboardSession.receive`.
public enum SessionInput: Equatable, Sendable {
    case key(Key)
    case click(x: Int, y: Int)
    case resize(width: Int, height: Int)
}

/// What a session asks of the program around it: the things it cannot do itself, because
/// they touch the terminal, a file, the store or a source. The program does them and says
/// how it went with `DashboardSession.say`.
public enum SessionEffect: Equatable, Sendable {
    case quit
    /// A replay key (the program passes it to the replay source).
    case replay(ReplayAction)
    /// `t`: the next theme.
    case cycleTheme
    /// `:theme NAME` (empty: the default).
    case useTheme(String)
    /// `:export FILE`: the events matching the filter, as JSON lines.
    case export(path: String)
    /// `:known USER`: append to the known-users file and tell the store.
    case addKnownUser(String)
    /// Enter on a latest denial: open the newest ring event with this auditID
    /// (`DashboardSession.openDetail(sequence:)`).
    case openAuditID(String)
    /// A new high or critical alert, with `--bell`.
    case bell
}

/// What the replay keys ask of a replay.
public enum ReplayAction: Equatable, Sendable {
    case togglePause, faster, slower, stepOne, mark, clearRange
    /// Moves by this many seconds of event time (negative: back).
    case jump(seconds: Int64)
    /// Goes to a time as typed after `@` (`14:32`, RFC 3339, `-5m`).
    case goTo(String)
    /// `:speed 10x` (already checked).
    case speed(String)
}

/// How far a replay is, for the status bar.
public struct ReplayProgress: Equatable, Sendable {
    /// `10x`, `max`, `0.5x`.
    public var speed: String
    public var paused: Bool
    public var percent: Int
    /// Every event is released.
    public var done: Bool

    public init(speed: String, paused: Bool, percent: Int, done: Bool) {
        self.speed = speed
        self.paused = paused
        self.percent = percent
        self.done = done
    }
}

/// The dashboard's settings, merged once from the flags and the config file.
public struct SessionSettings: Sendable {
    /// Most frames drawn per second.
    public var fps = 10
    /// The filter to start with (`--filter`), parsed.
    public var filter = Filter.all
    /// Ring the bell on a new high or critical alert (`--bell`).
    public var bell = false
    /// A kiosk: nothing that writes or changes settings, and `q` asks again (`--read-only`).
    public var readOnly = false
    /// Start on the war-room wall (`--wall`), rotating its pane every `rotate` seconds.
    public var wall = false
    public var rotate = 15
    /// Said in the hints line at the start (a theme that could not be used).
    public var startMessage: String?
    /// The sources include a replay: its keys are live and the Timeline pane exists.
    public var replay = false

    public init() {}
}
