import CZlib

/// Inflates gzip data chunk by chunk, member after member (rotated logs are sometimes
/// concatenated `.gz` files), handing out the decompressed bytes as they come.
final class GzipStream {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 1 << 20)
    private var open = false
    /// True between members: the last one ended cleanly and no new one has started.
    private(set) var atMemberBoundary = true

    init() {}

    deinit { if open { inflateEnd(&stream) } }

    /// Why inflating stopped early.
    enum Failure: Error {
        case corrupt(String)
    }

    /// Inflates `input`, calling `emit` with each run of decompressed bytes.
    func feed(_ input: UnsafeBufferPointer<UInt8>, emit: (UnsafeBufferPointer<UInt8>) -> Void) throws(Failure) {
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
                guard audittop_inflate_init(&stream) == Z_OK else { throw .corrupt("cannot start inflating") }
                open = true
                atMemberBoundary = false
            }
            let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                let r = inflate(&stream, Z_NO_FLUSH)
                let produced = out.count - Int(stream.avail_out)
                if produced > 0 { emit(UnsafeBufferPointer(rebasing: out[0..<produced])) }
                return r
            }
            switch status {
            case Z_STREAM_END:
                inflateEnd(&stream)
                open = false
                atMemberBoundary = true
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
}
