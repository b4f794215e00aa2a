import AuditCore

/// The store events are decoded into; replaced every `storeLife` inputs so its tables stay
/// small (a new store per input costs more than decoding it).
nonisolated(unsafe) private var store = makeStore()
nonisolated(unsafe) private var inputs = 0
private let storeLife = 1_000

private func makeStore() -> EventStore {
    var configuration = StoreConfiguration()
    configuration.capacity = 64
    configuration.rawBudget = 16 << 10
    configuration.requestWindow = 128
    configuration.deniedKeep = 8
    return EventStore(configuration: configuration)
}

/// libFuzzer entry for the event decoder: the input is a byte stream, framed by
/// `StreamDecoder` and decoded by `EventDecoder` into a small `EventStore` with the built-in
/// rules on, as a file or socket would feed it.
///
/// The first byte picks the chunk size (1 to 255 bytes, 0 for one chunk), so line and
/// document boundaries fall inside chunks and across them. Each input is its own stream;
/// the store lives for `storeLife` inputs (a crash that needs its history shows as one that
/// does not reproduce alone).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    inputs += 1
    if inputs % storeLife == 0 { store = makeStore() }
    let chunk = Int(data[0]) == 0 ? size : Int(data[0])
    // Small enough that inputs of --max_len reach the oversized paths.
    var framer = StreamDecoder(maxLine: 1024)
    let first = store.ring.nextSequence
    var offset = 1
    while offset < size {
        let n = min(chunk, size - offset)
        framer.feed(UnsafeBufferPointer(start: data + offset, count: n), to: store)
        offset += n
    }
    framer.finish(to: store)
    // What the detail view and the panes read back.
    for sequence in max(first, store.ring.firstSequence)..<store.ring.nextSequence {
        if let e = store.ring[sequence: sequence] { _ = store.actorName(e) }
        _ = store.rawJSON(sequence: sequence)
    }
    return 0
}
