/// Lines with something before the event (see `LinePrefix`): CRI pieces joined, prefixes cut.
extension StreamDecoder {
    /// A CRI line: its content, joined with the pieces before it when the runtime split it.
    mutating func criLine(_ text: UnsafeBufferPointer<UInt8>, to sink: some DocumentSink) {
        guard let (stderr, partial, start) = LinePrefix.cri(text) else {
            // Not a CRI line after all: the decoder counts it (or reads it, if it is an event).
            return sink.document(text)
        }
        let content = UnsafeBufferPointer(rebasing: text[start...])
        if stderr {
            Self.join(content, partial: partial, stderr: true, into: &stderrPiece, maxLine: maxLine, to: sink)
        } else {
            Self.join(content, partial: partial, stderr: false, into: &stdoutPiece, maxLine: maxLine, to: sink)
        }
    }

    /// Adds one CRI piece to its stream's line; the last piece (`F`) hands the line over.
    static func join(
        _ content: UnsafeBufferPointer<UInt8>, partial: Bool, stderr: Bool, into piece: inout [UInt8]?,
        maxLine: Int, to sink: some DocumentSink
    ) {
        guard piece != nil else {
            // Skipping a line that outgrew maxLine: its last piece ends the skip.
            if !partial { piece = [] }
            return
        }
        if piece!.isEmpty && !partial { return payload(content, stderr: stderr, to: sink) }
        if piece!.count + content.count > maxLine {
            sink.malformed(.oversized)
            piece = partial ? nil : []
            return
        }
        piece!.append(contentsOf: content)
        if partial { return }
        piece!.withUnsafeBufferPointer { payload($0, stderr: stderr, to: sink) }
        piece!.removeAll(keepingCapacity: true)
    }

    /// The event after a timestamp, stream or syslog prefix.
    func leadingLine(_ text: UnsafeBufferPointer<UInt8>, to sink: some DocumentSink) {
        if let start = LinePrefix.payloadStart(text) {
            return sink.document(UnsafeBufferPointer(rebasing: text[start...]))
        }
        // The apiserver's own log lines, after a timestamp or a syslog tag, are not events.
        if let t = LinePrefix.timestampEnd(text), LinePrefix.isKlog(text, from: t + 1) { return }
        if let colon = LinePrefix.tagEnd(text), LinePrefix.isKlog(text, from: colon) { return }
        sink.document(text)
    }

    /// What a CRI line carried: an event, or the apiserver's own log (passed over).
    static func payload(_ content: UnsafeBufferPointer<UInt8>, stderr: Bool, to sink: some DocumentSink) {
        var k = 0
        while k < content.count && content[k] == 0x20 { k += 1 }
        guard k < content.count else { return }
        let c = content[k]
        if c != UInt8(ascii: "{") && c != UInt8(ascii: "[") && (stderr || LinePrefix.isKlog(content, from: k)) { return }
        sink.document(UnsafeBufferPointer(rebasing: content[k...]))
    }
}
