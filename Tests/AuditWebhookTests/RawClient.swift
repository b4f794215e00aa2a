import Foundation

/// Plain sockets, for clients that misbehave on purpose.
enum RawClient {
    /// A connected socket to 127.0.0.1:`port`, from the loopback address `from` (any of
    /// 127.0.0.0/8, so a test can play several source IPs).
    static func connect(port: Int, from: String = "127.0.0.1") throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawClientError(what: "socket: \(String(cString: strerror(errno)))") }
        var local = address(from, port: 0)
        var remote = address("127.0.0.1", port: port)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let connected = bound == 0 && withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
        guard connected else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw RawClientError(what: "connect from \(from) to port \(port): \(reason)")
        }
        return fd
    }

    private static func address(_ ip: String, port: Int) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr(ip)
        return a
    }

    static func send(_ fd: Int32, _ text: String) { send(fd, Array(text.utf8)) }

    static func send(_ fd: Int32, _ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            done += n
        }
    }

    /// A POST of `body` to the webhook path, as raw bytes (so it may hold any byte).
    static func post(_ body: [UInt8], token: String? = nil, keepAlive: Bool = true) -> [UInt8] {
        var head = "POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if !keepAlive { head += "Connection: close\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    /// True when the peer has closed the connection.
    static func isClosed(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno == ECONNRESET)
    }

    /// Waits up to `seconds` for the peer to close; true when it did.
    static func waitClosed(_ fd: Int32, within seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if isClosed(fd) { return true }
            usleep(10_000)
        }
        return isClosed(fd)
    }

    /// Reads an HTTP answer's status code (waiting up to 10 s).
    static func readStatus(_ fd: Int32) -> Int {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 10_000) > 0 else { return 0 }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 12 else { return 0 }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self)) ?? 0
    }

    /// Everything the peer sends until it closes (or `seconds` pass), as text, and whether
    /// it closed.
    static func readToClose(_ fd: Int32, within seconds: Double = 5) -> (text: String, closed: Bool) {
        var all: [UInt8] = []
        let deadline = Date(timeIntervalSinceNow: seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return (String(decoding: all, as: UTF8.self), true) }
            all += buffer[0..<n]
        }
        return (String(decoding: all, as: UTF8.self), false)
    }
}

struct RawClientError: Error, CustomStringConvertible {
    var what: String
    var description: String { what }
}

/// The process's open-file limit, which the flood tests need above the usual 1024.
enum FileLimit {
    /// Raises the soft limit to at least `n` when the hard limit allows; true when it is.
    static func raise(to n: Int) -> Bool {
        var r = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r) == 0 else { return false }
        if r.rlim_cur >= rlim_t(n) { return true }
        guard r.rlim_max >= rlim_t(n) else { return false }
        r.rlim_cur = rlim_t(n)
        return setrlimit(Int32(RLIMIT_NOFILE.rawValue), &r) == 0
    }
}
