import Foundation
import NIOCore

/// Request bodies taken in and not yet decoded: the event loop puts them here and answers
/// at once; the listener's decoding thread takes them from here. Bounded by bytes, so a
/// flood is refused (503, which the apiserver retries) instead of eating memory. A body is
/// the buffer it arrived in, never copied.
final class BodyQueue: @unchecked Sendable {
    // `condition` guards `bodies`, `bytes` and `closed`.
    private let condition = NSCondition()
    private var bodies: [(source: String?, bytes: ByteBuffer)] = []
    private var head = 0
    private var bytes = 0
    private var closed = false
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Adds a body (with the name of its sender, when known); false when the queue is full.
    func put(_ body: ByteBuffer, source: String? = nil) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard bytes + body.readableBytes <= limit || bodies.count == head else { return false }
        bodies.append((source, body))
        bytes += body.readableBytes
        condition.signal()
        return true
    }

    /// The next body, waiting up to `timeout` seconds; nil on timeout or when closed and empty.
    func take(timeout: TimeInterval) -> (source: String?, bytes: ByteBuffer)? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while head == bodies.count {
            if closed || !condition.wait(until: deadline) { return nil }
        }
        let body = bodies[head]
        bodies[head] = (nil, ByteBuffer())
        head += 1
        bytes -= body.bytes.readableBytes
        if head > 1024 && head * 2 > bodies.count {
            bodies.removeFirst(head)
            head = 0
        }
        return body
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var pendingBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return bytes
    }
}
