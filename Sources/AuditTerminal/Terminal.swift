import AuditDashboard
import CNcurses
import CTerminalGuard
import Glibc

/// Why the dashboard cannot run on this terminal, said so a person can fix it.
public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
}

/// A key, or the terminal changing size.
public enum TerminalInput: Equatable {
    case key(Key)
    case resize
    /// A click at a cell.
    case click(x: Int, y: Int)
}

/// The screen. Owns ncurses: only the UI thread creates and uses it (it is not Sendable).
/// It copies a `CellGrid` to the screen and reads keys; it knows nothing of events.
public final class Terminal {
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    /// How many colours it shows: 24-bit, 256, 8, or none (attributes only).
    public let depth: ColourDepth
    private var theme: Theme
    private var stopped = false

    /// Starts the screen on the controlling terminal (stdin and stdout must be a TTY).
    /// - Parameter noColour: draw with attributes only (`NO_COLOR`).
    public init(theme: Theme, noColour: Bool) throws(TerminalError) {
        guard isatty(1) == 1 else {
            throw TerminalError(description: "the dashboard needs a terminal; for a summary without one, use `audittop report FILE`")
        }
        // With events on stdin (`audittop -`), keys come from the controlling terminal.
        var input: UnsafeMutablePointer<FILE>? = nil
        if isatty(0) != 1 {
            guard let tty = fopen("/dev/tty", "r") else {
                throw TerminalError(description: "the dashboard needs a terminal to read keys from (/dev/tty)")
            }
            input = tty
        }
        var term = String(cString: getenv("TERM") ?? strdup(""))
        guard !term.isEmpty, term != "dumb" else {
            throw TerminalError(description: "TERM is '\(term.isEmpty ? "unset" : term)', which cannot place text on the screen; set TERM (e.g. xterm-256color)")
        }
        // 24-bit colour when the terminal says so (COLORTERM) and terminfo has a direct-colour
        // entry for its type (xterm-direct for xterm-256color): ncurses needs one to send it.
        let colourTerm = String(cString: getenv("COLORTERM") ?? strdup(""))
        if !noColour, ["truecolor", "24bit"].contains(colourTerm), let direct = Terminal.directVariant(of: term) { term = direct }
        // The shell's settings, before ncurses changes them: what a crash puts back.
        audittop_guard_save_terminal(STDOUT_FILENO)
        setlocale(LC_ALL, "")
        if String(cString: nl_langinfo(Int32(CODESET))) != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }
        let opened = input.map { nc_newterm_input(term, $0) } ?? nc_newterm(term)
        guard let screen = opened else {
            throw TerminalError(description: "unknown terminal type '\(term)'; set TERM to one in the terminfo database (e.g. xterm-256color)")
        }
        self.screen = screen
        set_term(screen)
        guard let window = nc_stdscr() else {
            throw TerminalError(description: "the terminal did not start")
        }
        self.window = window
        guard nc_has_cursor_addressing() == 1 else {
            endwin()
            delscreen(screen)
            throw TerminalError(description: "terminal '\(term)' has no cursor addressing; set TERM to a full-screen terminal type")
        }
        cbreak()
        noecho()
        keypad(window, true)
        curs_set(0)
        set_escdelay(25)
        wtimeout(window, 100)
        nc_enable_mouse()
        var depth = ColourDepth.none
        if !noColour && has_colors() {
            start_color()
            use_default_colors()
            let n = nc_colors()
            depth = n >= 0x100_0000 ? .direct : (n >= 256 ? .c256 : (n >= 8 ? .c8 : .none))
        }
        self.depth = depth
        self.theme = theme
        applyTheme()
        Terminal.installGuard()
    }

    deinit { stop() }

    /// The terminal's size in cells.
    public var size: (width: Int, height: Int) { (Int(getmaxx(window)), Int(getmaxy(window))) }

    /// The theme in use.
    public var currentTheme: Theme { theme }

    /// Switches to `theme` for the next draw.
    public func use(_ theme: Theme) {
        self.theme = theme
        applyTheme()
    }

    private func applyTheme() {
        guard depth != .none else { return }
        for role in Role.allCases {
            let style = theme.resolved(role, at: depth)
            _ = nc_init_pair(Int32(role.rawValue) + 1, Int32(style.foreground), Int32(style.background))
        }
    }

    private func attributes(_ role: Role) -> attr_t {
        let style = theme.resolved(role, at: depth)
        var a = nc_a_normal()
        if style.bold { a |= nc_a_bold() }
        if style.dim { a |= nc_a_dim() }
        if style.reverse { a |= nc_a_reverse() }
        if style.underline { a |= nc_a_underline() }
        return a
    }

    /// `TERM`'s direct-colour sibling when terminfo has it: `xterm-256color` → `xterm-direct`.
    static func directVariant(of term: String) -> String? {
        var base = term
        for suffix in ["-256color", "-truecolor", "-color"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        let name = base + "-direct"
        guard let first = name.first else { return nil }
        let home = String(cString: getenv("HOME") ?? strdup(""))
        let folders = [home + "/.terminfo", "/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo"]
        for folder in folders where access("\(folder)/\(first)/\(name)", R_OK) == 0 { return name }
        return nil
    }

    /// Copies `grid` to the screen, one run of same-role cells at a time.
    public func draw(_ grid: CellGrid) {
        let (width, height) = size
        var buffer: [wchar_t] = []
        buffer.reserveCapacity(width + 1)
        for y in 0..<min(height, grid.height) {
            var x = 0
            while x < min(width, grid.width) {
                let role = grid[x, y].role
                let start = x
                buffer.removeAll(keepingCapacity: true)
                while x < min(width, grid.width), grid[x, y].role == role {
                    let cell = grid[x, y]
                    if !cell.continuation {
                        for scalar in cell.character.unicodeScalars { buffer.append(wchar_t(bitPattern: scalar.value)) }
                    }
                    x += 1
                }
                buffer.append(0)
                wattr_set(window, attributes(role), depth != .none ? Int16(role.rawValue) + 1 : 0, nil)
                _ = buffer.withUnsafeBufferPointer { mvwaddnwstr(window, Int32(y), Int32(start), $0.baseAddress, Int32($0.count - 1)) }
            }
        }
        wnoutrefresh(window)
        doupdate()
    }

    /// Waits up to `milliseconds` for a key; nil when none came.
    public func read(timeout milliseconds: Int32) -> TerminalInput? {
        wtimeout(window, milliseconds)
        var ch: wint_t = 0
        let r = wget_wch(window, &ch)
        if r == ERR { return nil }
        if r == KEY_CODE_YES {
            switch Int32(ch) {
            case KEY_RESIZE: return .resize
            case KEY_MOUSE:
                var x: Int32 = 0
                var y: Int32 = 0
                switch nc_mouse_event(&x, &y) {
                case 1: return .click(x: Int(x), y: Int(y))
                case 2: return .key(.up)
                case 3: return .key(.down)
                default: return nil
                }
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_BTAB: return .key(.backTab)
            default: return nil
            }
        }
        switch ch {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 3: return .key(.interrupt)
        case 21: return .key(.clearLine)
        default:
            guard let scalar = Unicode.Scalar(UInt32(ch)) else { return nil }
            return .key(.character(Character(scalar)))
        }
    }

    /// Rings the terminal bell (or flashes, where the terminal has no bell).
    public func bell() { beep() }

    /// Restores the terminal: turns off the mouse and keypad modes, leaves the alternate
    /// screen, shows the cursor. Idempotent.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        endwin()
        delscreen(screen)
        audittop_guard_uninstall()
    }

    /// The signal that asked to quit (SIGINT, SIGTERM, SIGHUP), or 0.
    public var quitSignal: Int32 { audittop_guard_quit_signal() }

    /// What undoes everything `init` turned on, for the crash handler to write: every mouse
    /// reporting mode (1000 clicks, 1002 drags, 1003 motion; 1005, 1006 and 1015 encodings),
    /// the keypad's application mode (terminfo's `rmkx`, and xterm's `ESC[?1l ESC>`),
    /// attributes, the cursor, and the alternate screen. The xterm sequences are sent
    /// whatever terminfo says: terminals ignore private modes they do not know.
    static var resetSequence: String {
        var reset = "\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1005l\u{1B}[?1006l\u{1B}[?1015l"
        func cap(_ name: String) -> String {
            guard let s = tigetstr(name), Int(bitPattern: s) != -1 else { return "" }
            return String(cString: s)
        }
        reset += cap("rmkx") + "\u{1B}[?1l\u{1B}>"
        reset += cap("sgr0") + cap("cnorm") + "\u{1B}[?25h" + cap("rmcup")
        return reset + "\r\n"
    }

    private static func installGuard() {
        var bytes = Array(resetSequence.utf8)
        bytes.withUnsafeMutableBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { audittop_guard_install($0.baseAddress, $0.count) }
        }
    }
}
