@testable import AuditCore
import Foundation
import Testing

/// The multi-value substring search agrees with a plain search, gate or not, case folded or not.
@Suite struct NeedlesTests {
    static func plain(_ values: [String], _ text: String, fold: Bool) -> Bool {
        let t = fold ? text.lowercased() : text
        return values.contains { t.contains(fold ? $0.lowercased() : $0) }
    }

    @Test func aRunEveryValueHoldsIsFound() {
        #expect(Needles.commonRun([Array("/bin/sh".utf8), Array("%2fusr%2fbin%2fcurl".utf8), Array("/usr/bin/wget".utf8)]) == Array("bin".utf8))
        #expect(Needles.commonRun([Array("abc".utf8), Array("xyz".utf8)]) == nil)
        #expect(Needles.commonRun([Array("portforward".utf8), Array("port".utf8)]) == Array("port".utf8))
    }

    @Test(arguments: [false, true])
    func theSearchAgreesWithAPlainOneOnRandomText(fold: Bool) {
        // Sigma's shells and tools (their values share `bin`), and values that share nothing.
        let sets: [[String]] = [
            ["%2fbin%2fash", "%2fbin%2fsh", "/bin/bash", "/bin/sh", "%2fusr%2fbin%2fcurl", "/usr/bin/kubectl", "/usr/bin/wget"],
            ["exec", "attach", "portforward"], ["of clusterrole \"cluster-admin\"", "cluster-admin"],
        ]
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abinshBINSH/%2fuUrRlcw-_\"eEoOxXtTpPfF ")
        for values in sets {
            let needles = Needles(fold ? values.map { $0.lowercased() } : values, foldCase: fold)!
            for _ in 0..<4_000 {
                var text = String((0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
                if Bool.random(using: &rng), let v = values.randomElement(using: &rng) {
                    let piece = Bool.random(using: &rng) ? v.uppercased() : v
                    let at = text.index(text.startIndex, offsetBy: Int.random(in: 0...text.count, using: &rng))
                    text.insert(contentsOf: piece, at: at)
                }
                #expect(needles.found(in: text) == Self.plain(values, text, fold: fold), "\(values) in \(text)")
            }
        }
    }
}
