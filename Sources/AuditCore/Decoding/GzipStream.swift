import CZlib

/// Inflates gzip data chunk by chunk, member after member (rotated logs are sometimes
/// concatenated `.gz` files), handing out the decompressed bytes as they come.
///
/// A member whose output does not end with a line break gets one: members that each hold one
/// JSON document without a newline (Firehose's S3 objects of CloudWatch subscription records)
/// then frame as lines. BGZF files, whose blocks cut anywhere, are told by their header's
/// extra field and left as they are.
public final class GzipStream {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 1 << 20)
    private var open = false
    /// True between members: the last one ended cleanly and no new one has started.
    public private(set) var atMemberBoundary = true
    private var endsLine = true
    private var blocked = false

    public init() {}

    deinit { if open { inflateEnd(&stream) } }

    /// Why inflating stopped early.
    public enum Failure: Error {
        case corrupt(String)
    }

    /// Inflates `input`, calling `emit` with each run of decompressed bytes.
    public func feed(_ input: UnsafeBufferPointer<UInt8>, emit: (UnsafeBufferPointer<UInt8>) -> Void) throws(Failure) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base)
        stream.avail_in = UInt32(input.count)
        while stream.avail_in > 0 {
            if !open {
                // Padding zeros after the last member are allowed; anything else starts a member.
                if stream.next_in.pointee == 0 {
                    stream.next_in += 1
                    stream.avail_in -= 1
                    continue
                }
                // FLG.FEXTRA: a BGZF block, not a record of its own.
                blocked = stream.avail_in >= 4 && stream.next_in[3] & 4 != 0
                guard audittop_inflate_init(&stream) == Z_OK else { throw .corrupt("cannot start inflating") }
                open = true
                atMemberBoundary = false
            }
            let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                let r = inflate(&stream, Z_NO_FLUSH)
                let produced = out.count - Int(stream.avail_out)
                if produced > 0 {
                    endsLine = out[produced - 1] == 0x0A
                    emit(UnsafeBufferPointer(rebasing: out[0..<produced]))
                }
                return r
            }
            switch status {
            case Z_STREAM_END:
                inflateEnd(&stream)
                open = false
                atMemberBoundary = true
                if !endsLine && !blocked {
                    endsLine = true
                    withUnsafePointer(to: Self.newline) { emit(UnsafeBufferPointer(start: $0, count: 1)) }
                }
            case Z_OK, Z_BUF_ERROR:
                continue
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                inflateEnd(&stream)
                open = false
                throw .corrupt(message)
            }
        }
    }

    private static let newline = UInt8(0x0A)

    /// All of `bytes` inflated (every member), or nil when it is not whole, valid gzip or
    /// inflates past `limit` bytes.
    public static func inflateAll(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> [UInt8]? {
        let stream = GzipStream()
        var out: [UInt8] = []
        var over = false
        do {
            try stream.feed(bytes) { piece in
                if out.count + piece.count > limit { over = true } else { out.append(contentsOf: piece) }
            }
        } catch {
            return nil
        }
        return over || !stream.atMemberBoundary ? nil : out
    }
}
