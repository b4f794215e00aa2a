@testable import AuditCore
import Testing

/// What the engine reads off a condition before it runs the rule: the fields it needs a
/// value in, needs empty, and the values it rules out. `RuleShortcutTests` shows, on real
/// events and Falco's and SigmaHQ's rules, that the gates built from them change no alert;
/// these pin down each analysis on its own, including where it must say "nothing known".
@Suite struct ConditionDemandTests {
    static let imp = EventField.falco(.impersonatedUser, argument: nil)
    static let sub = EventField.falco(.targetSubresource, argument: nil)
    static let stage = EventField.falco(.stage, argument: nil)
    static let user = EventField.falco(.userName, argument: nil)

    @Test func aTestOnAFieldNeedsItsValue() {
        let exists = Condition.test(Self.imp, .exists, [])
        #expect(exists.needsValue(Self.imp))
        #expect(Condition.test(Self.imp, .notEquals, ["bob"]).needsValue(Self.imp), "!= is false with no value too")
        #expect(!exists.needsValue(Self.user))
        #expect(Condition.all([.test(Self.user, .equals, ["a"]), exists]).needsValue(Self.imp))
        #expect(!Condition.any([.test(Self.user, .equals, ["a"]), exists]).needsValue(Self.imp), "one branch does without it")
        #expect(Condition.any([exists, .test(Self.imp, .startswith, ["system:"])]).needsValue(Self.imp))
        #expect(!Condition.not(exists).needsValue(Self.imp))
        #expect(!Condition.not(.not(exists)).needsValue(Self.imp), "not is never looked into")
        #expect(Condition.constant(false).needsValue(Self.imp))
        #expect(!Condition.constant(true).needsValue(Self.imp))
        #expect(!Condition.any([]).needsValue(Self.imp))
    }

    @Test func notExistsNeedsNoValue() {
        let none = Condition.not(.test(Self.sub, .exists, []))
        #expect(none.needsNoValue(Self.sub))
        #expect(!none.needsNoValue(Self.imp))
        #expect(Condition.all([.test(Self.user, .equals, ["a"]), none]).needsNoValue(Self.sub))
        #expect(!Condition.any([.test(Self.user, .equals, ["a"]), none]).needsNoValue(Self.sub))
        #expect(!Condition.not(.test(Self.sub, .equals, ["exec"])).needsNoValue(Self.sub), "not = holds for other values too")
        #expect(!Condition.test(Self.sub, .exists, []).needsNoValue(Self.sub))
    }

    @Test func notEqualsRulesValuesOut() {
        let decided = Condition.not(.test(Self.stage, .equals, ["RequestReceived"]))
        #expect(decided.excluded(Self.stage) == ["RequestReceived"])
        #expect(decided.excluded(Self.user) == nil)
        #expect(Condition.not(.test(Self.stage, .in, ["A", "B"])).excluded(Self.stage) == ["A", "B"])
        let both = Condition.all([decided, .not(.test(Self.stage, .equals, ["Panic"])), .test(Self.user, .equals, ["a"])])
        #expect(both.excluded(Self.stage) == ["RequestReceived", "Panic"])
        let either = Condition.any([decided, .not(.test(Self.stage, .in, ["RequestReceived", "Panic"]))])
        #expect(either.excluded(Self.stage) == ["RequestReceived"], "only what every branch rules out")
        #expect(Condition.any([decided, .test(Self.user, .equals, ["a"])]).excluded(Self.stage) == nil)
        #expect(Condition.not(.test(Self.stage, .startswith, ["Request"])).excluded(Self.stage) == nil)
        #expect(Condition.not(.all([.test(Self.stage, .equals, ["RequestReceived"]), .test(Self.user, .equals, ["a"])])).excluded(Self.stage) == nil,
                "not (stage = X and user = a) still lets X through for other users")
        #expect(Condition.test(Self.stage, .notEquals, ["RequestReceived"]).excluded(Self.stage) == nil)
    }
}
