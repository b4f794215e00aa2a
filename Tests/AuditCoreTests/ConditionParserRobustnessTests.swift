@testable import AuditCore
import Testing

/// Hostile rule text never crashes the parsers: every prefix of every built-in condition,
/// and bytes changed at every position, either parse or throw a located error.
@Suite struct ConditionParserRobustnessTests {
    static var conditions: [String] {
        let items = BuiltinRules.root.sequence ?? []
        return items.compactMap { $0["condition"]?.string } + [
            #"ka.uri.param[command] = "a\"b" and not (jevt.value[/a/b] in ('x', "y", z))"#,
            "ka.req.volume.hostpath[/etc*]=true or ka.req.pod.containers.image[0] startswith nginx",
            "((((((((ka.verb=get))))))))", "not not not ka.verb exists", "ka.verb in ()",
        ]
    }

    @Test func everyPrefixParsesOrThrowsWithAColumnInside() {
        for text in Self.conditions {
            let bytes = Array(text.utf8)
            for n in 0...bytes.count {
                let prefix = String(decoding: bytes[..<n], as: UTF8.self)
                do { _ = try FalcoConditionParser.parse(prefix) } catch {
                    #expect(error.offset >= 0 && error.offset <= prefix.utf8.count, "\(prefix): \(error)")
                }
            }
        }
    }

    @Test func changedBytesParseOrThrow() {
        let replacements: [UInt8] = [0x28, 0x29, 0x22, 0x27, 0x5B, 0x5D, 0x2C, 0x3D, 0x21, 0x20, 0x00, 0xFF, 0x5C]
        var checked = 0
        for text in Self.conditions {
            var bytes = Array(text.utf8)
            for k in bytes.indices {
                let saved = bytes[k]
                for r in replacements {
                    bytes[k] = r
                    let changed = String(decoding: bytes, as: UTF8.self)
                    do { _ = try FalcoConditionParser.parse(changed) } catch {
                        #expect(error.offset >= 0 && error.offset <= changed.utf8.count)
                    }
                    checked += 1
                }
                bytes[k] = saved
            }
        }
        #expect(checked > 10_000)
    }

    @Test func sigmaConditionsToo() {
        let selections: [(name: String, condition: Condition)] = [("selection", .constant(true)), ("filter_a", .constant(false))]
        let text = "selection and not (1 of filter_* or all of them) or 1 of selection*"
        let bytes = Array(text.utf8)
        for n in 0...bytes.count {
            _ = try? SigmaConditionParser.parse(String(decoding: bytes[..<n], as: UTF8.self), selections: selections)
        }
        #expect((try? SigmaConditionParser.parse(text, selections: selections)) != nil)
    }
}
