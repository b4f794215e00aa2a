import Foundation
import Testing

/// Where the shared corpus of real audit events lives, and whether it is there.
///
/// The corpus sits beside the checkout (`../shared/corpus`) in CI and on the team's machines;
/// `AUDITTOP_CORPUS` points elsewhere. On a fresh clone with nothing beside it, the tests that
/// read it are skipped with `Corpus.skipReason` shown, instead of failing.
public enum CorpusLocation {
    /// The package's root folder.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The corpus folder, present or not.
    public static var root: URL {
        if let path = ProcessInfo.processInfo.environment["AUDITTOP_CORPUS"] { return URL(fileURLWithPath: path) }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
    }

    /// True when the corpus's README is readable.
    public static var isPresent: Bool {
        FileManager.default.isReadableFile(atPath: root.appendingPathComponent("README.md").path)
    }

    /// Why a corpus test did not run, as the test runner prints it.
    public static var skipReason: String {
        "the shared corpus is not at \(root.path) (set AUDITTOP_CORPUS to its folder)"
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs a test only when the shared corpus is there; otherwise it is reported as skipped,
    /// with where it was looked for.
    public static var needsCorpus: Self {
        .enabled(if: CorpusLocation.isPresent, Comment(rawValue: CorpusLocation.skipReason))
    }
}
