// swift-tools-version:6.0
import PackageDescription

/// Settings shared by every target: Swift 6 mode is the default for tools 6.0; these add
/// explicit `any` for existentials so protocol costs stay visible.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "audittop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "audittop", targets: ["audittop"]),
        .executable(name: "audittop-bench", targets: ["audittop-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        // Domain core: events, decoder, ring, statistics. No files, sockets or terminals.
        // Exclusivity checks are dynamic on class properties and cost ~10% of decoding time;
        // the core is single-writer by design (see SharedEventStore), so they are off here.
        // The decoder's one vectorised loop: finding where a JSON string's plain run ends.
        .target(name: "CAuditScan"),
        .target(
            name: "AuditCore",
            dependencies: ["CAuditScan", "CZlib", "CLZ4"],
            swiftSettings: strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // Sources: bytes from files and stdin into the core's stream decoder.
        .target(
            name: "AuditSources",
            dependencies: ["AuditCore", "AuditSimulator", "CZlib", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        // The apiserver's audit webhook feed: an HTTP(S) listener as a live source.
        .target(
            name: "AuditWebhook",
            dependencies: [
                "AuditCore", "AuditSources",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        // View model and the non-interactive report built from it.
        .target(
            name: "AuditDashboard",
            dependencies: ["AuditCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        // zlib, for gzipped rotated logs.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // LZ4, for the raw JSON kept for the detail view (about 5x on audit events).
        .systemLibrary(name: "CLZ4", providers: [.apt(["liblz4-dev"])]),
        // ncurses, reached through a shim for the macros Swift cannot import.
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncurses-dev"])]),
        // Restoring the terminal from signal handlers (async-signal-safe, so in C).
        .target(name: "CTerminalGuard"),
        // The only layer that talks to the terminal: copies a CellGrid to the screen, reads keys.
        .target(
            name: "AuditTerminal",
            dependencies: ["CNcurses", "CTerminalGuard", "AuditDashboard"],
            swiftSettings: strict),
        // Deterministic generator of realistic audit logs (demo and benchmarks).
        .target(name: "AuditSimulator", dependencies: ["AuditCore"], swiftSettings: strict),
        .executableTarget(
            name: "audittop",
            dependencies: [
                "AuditCore", "AuditSources", "AuditDashboard", "AuditSimulator", "AuditTerminal", "AuditWebhook", "CTerminalGuard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "audittop-bench", dependencies: ["AuditSimulator", "AuditCore", "AuditSources", "AuditDashboard", "AuditWebhook"],
            swiftSettings: strict),
        // What the test targets share: where the corpus is, and children that never outlive a test.
        .target(name: "AuditTestSupport", path: "Tests/AuditTestSupport", swiftSettings: strict),
        .testTarget(name: "AuditCoreTests", dependencies: ["AuditCore", "AuditTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "AuditSourcesTests",
            dependencies: ["AuditSources", "AuditCore", "AuditSimulator", "AuditDashboard", "AuditTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "AuditDashboardTests",
            dependencies: ["AuditDashboard", "AuditCore", "AuditSources", "AuditSimulator"],
            exclude: ["Snapshots"],
            swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["AuditSimulator", "AuditTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "AuditWebhookTests",
            dependencies: [
                "AuditWebhook", "AuditCore", "AuditSimulator",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict),
    ]
)
