import AuditSimulator
import Foundation
import Testing

/// What the simulator writes, measured on generated logs.
@Suite struct SimulatorTests {
    /// 200,000 events of the default (kubeadm) cluster, the incident at 60%.
    static let log = SimulatedLog(events: 200_000)
    static let hashAlphabet = Set("bcdfghjklmnpqrstvwxz2456789")

    static func isPodName(_ name: String) -> Bool {
        let parts = name.split(separator: "-")
        guard parts.count >= 3 else { return false }
        let hash = parts[parts.count - 2]
        let suffix = parts[parts.count - 1]
        return (9...10).contains(hash.count) && suffix.count == 5 && (hash + suffix).allSatisfy(hashAlphabet.contains)
    }

    @Test func twoHundredThousandEventsNameTensOfThousandsOfObjectsAndURIs() {
        let events = Self.log.events
        let names = Set(events.filter { !$0.name.isEmpty }.map { "\($0.resource)/\($0.namespace)/\($0.name)" })
        let uris = Set(events.map(\.uri))
        let requests = Set(events.map(\.auditID)).count
        #expect(names.count >= 10_000, "\(names.count) names")
        // Leases, reviews and event creates repeat their URIs, as in a real cluster; the rest vary.
        #expect(uris.count * 5 >= requests, "\(uris.count) URIs for \(requests) requests")
        let average = events.reduce(0) { $0 + $1.bytes } / events.count
        #expect((1_000...1_300).contains(average), "average \(average) bytes")
        let bodies = events.filter(\.hasBody).count
        #expect(bodies * 100 >= events.count * 3 && bodies * 100 <= events.count * 8, "\(bodies) bodies")
    }

    @Test func podsAndReplicaSetsHaveHashSuffixesAndChurn() {
        let events = Self.log.events
        let pods = Set(events.filter { $0.resource == "pods" && !$0.name.isEmpty }.map(\.name))
        #expect(pods.filter(Self.isPodName).count >= 300)
        let replicaSets = Set(events.filter { $0.resource == "replicasets" && !$0.name.isEmpty }.map(\.name))
        #expect(replicaSets.count >= 50)
        #expect(replicaSets.allSatisfy { $0.split(separator: "-").last.map { (9...10).contains($0.count) } ?? false })
        // New pods appear all along: created, bound by the scheduler, started by a kubelet.
        let bound = events.filter { $0.subresource == "binding" && $0.stage == "ResponseComplete" }
        #expect(bound.count >= 500)
        #expect(bound.allSatisfy { $0.user == "system:kube-scheduler" && $0.code == 201 && Self.isPodName($0.name) })
        let lateBindings = bound.filter { $0.line > 150_000 }.map(\.name)
        let earlyPods = Set(events.prefix(20_000).map(\.name))
        #expect(lateBindings.contains { !earlyPods.contains($0) })
        #expect(events.contains { $0.verb == "create" && $0.resource == "replicasets" && $0.code == 201 })
    }

    @Test func eventsHaveUniqueNamesAfterTheirObject() {
        let creates = Self.log.completed.filter { $0.resource == "events" && $0.verb == "create" }
        #expect(creates.count >= 2_000)
        #expect(Set(creates.map(\.name)).count == creates.count)
        for e in creates.prefix(200) {
            let parts = e.name.split(separator: ".")
            #expect(parts.count == 2 && parts[1].count == 16 && UInt64(parts[1], radix: 16) != nil, "\(e.name)")
            #expect(!e.uri.contains(e.name), "a create posts to the collection: \(e.uri)")
        }
        #expect(Self.log.completed.contains { $0.resource == "events" && $0.verb == "patch" && $0.uri.hasSuffix($0.name) })
    }

    @Test func everyNodeRenewsItsOwnLeaseAboutEveryTenSeconds() throws {
        let renewals = Self.log.completed.filter { $0.namespace == "kube-node-lease" && $0.verb == "update" }
        let nodes = Dictionary(grouping: renewals, by: \.name)
        #expect((12...30).contains(nodes.count), "\(nodes.count) nodes")
        for (node, list) in nodes {
            #expect(list.allSatisfy { $0.user == "system:node:" + node })
            let times = list.compactMap { ISO8601.seconds($0.received) }
            let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
            let mean = gaps.reduce(0, +) / Double(gaps.count)
            #expect(mean > 9 && mean < 11, "\(node): \(mean) s")
        }
    }

    @Test func watchesAndListsCarryChangingResourceVersions() {
        let watches = Self.log.events.filter { $0.verb == "watch" && $0.stage == "ResponseStarted" }
        #expect(watches.count >= 1_000)
        #expect(watches.allSatisfy { $0.uri.contains("&timeoutSeconds=") && $0.uri.hasSuffix("&watch=true") && $0.uri.contains("resourceVersion=") })
        let versions = Set(watches.compactMap { $0.uri.split(separator: "resourceVersion=").last?.split(separator: "&").first })
        #expect(versions.count * 2 >= watches.count)
        #expect(watches.allSatisfy { w in
            let q = w.uri.split(separator: "timeout=").last!.split(separator: "&")
            let seconds = Int(q[1].dropFirst("timeoutSeconds=".count))!
            return q[0] == "\(seconds / 60)m\(seconds % 60)s"
        })
        #expect(Self.log.events.contains { $0.verb == "list" && $0.uri.hasSuffix("?limit=500&resourceVersion=0") })
    }

    @Test func reviewsHaveNoNameButOneAuditIDEach() {
        let reviews = Self.log.completed.filter { $0.resource == "tokenreviews" || $0.resource == "subjectaccessreviews" }
        #expect(reviews.count >= 1_000)
        #expect(reviews.allSatisfy { $0.name.isEmpty && $0.code == 201 && $0.verb == "create" })
        #expect(Set(reviews.map(\.auditID)).count == reviews.count)
        #expect(Self.log.completed.contains { $0.resource == "selfsubjectaccessreviews" && $0.agent.hasPrefix("kubectl/") })
    }

    @Test func requestReceivedIsFollowedByALaterStageOfTheSameRequest() {
        var later: [String: [SimulatedLog.Event]] = [:]
        for e in Self.log.events where e.stage != "RequestReceived" { later[e.auditID, default: []].append(e) }
        let received = Self.log.events.filter { $0.stage == "RequestReceived" }
        #expect(received.count >= 5_000)
        // The last few may complete after the log ends.
        var open = 0
        for r in received {
            guard let next = later[r.auditID]?.first(where: { $0.stage == "ResponseComplete" }) else { open += 1; continue }
            #expect(next.line > r.line && next.stageTime >= r.stageTime && next.received == r.received)
            #expect(r.decision == nil && r.impersonated == nil)
        }
        #expect(open < 20)
        // People and CI are logged from RequestReceived on.
        let alice = Self.log.events.filter { $0.user == "alice@example.com" }
        #expect(alice.filter { $0.stage == "RequestReceived" }.count * 2 >= alice.count - 10)
    }

    @Test func healthChecksComeFromTheLoadBalancersEveryFewSeconds() {
        let checks = Self.log.completed.filter { ["/healthz", "/livez", "/readyz"].contains($0.uri) }
        #expect(checks.allSatisfy { $0.user == "system:anonymous" && $0.code == 200 && $0.decision == "allow" && $0.sourceIP.hasPrefix("10.0.0.") })
        let span = ISO8601.seconds(Self.log.events.last!.received)! - ISO8601.seconds(Self.log.events[0].received)!
        #expect(Double(checks.count) >= span / 2)
    }

    @Test func theFrontendAccountOnlyReadsItsConfigMapFromItsPodBeforeTheIncident() {
        let frontend = Self.log.completed.filter { $0.user == "system:serviceaccount:web:frontend" }
        let normal = frontend.filter { $0.sourceIP.hasPrefix("10.244.") }
        #expect(normal.count >= 500)
        #expect(normal.allSatisfy { $0.verb == "get" && $0.resource == "configmaps" && $0.namespace == "web" && !$0.agent.contains("curl") })
        let firstOutside = frontend.first { $0.sourceIP == "203.0.113.45" }?.line ?? 0
        #expect(firstOutside > 100_000)
        #expect(frontend.filter { $0.line < firstOutside }.allSatisfy { $0.sourceIP.hasPrefix("10.244.") })
    }

    @Test func theSameSeedAndFlavorWriteTheSameBytes() {
        func bytes(_ seed: UInt64, _ flavor: Flavor) -> [UInt8] {
            var sim = Simulator(seed: seed, flavor: flavor, incidentAfter: 10_000_000)
            return (0..<8_000).flatMap { _ in sim.next().line }
        }
        #expect(bytes(3, .eks) == bytes(3, .eks))
        #expect(bytes(3, .kubeadm) == bytes(3, .kubeadm))
        #expect(bytes(3, .eks) != bytes(4, .eks))
        #expect(bytes(3, .eks) != bytes(3, .aks))
    }
}

/// RFC 3339 to seconds of the day, for intervals within one day.
enum ISO8601 {
    static func seconds(_ text: String) -> Double? {
        let time = text.split(separator: "T")[1].dropLast().split(separator: ":")
        guard time.count == 3, let h = Double(time[0]), let m = Double(time[1]), let s = Double(time[2]) else { return nil }
        return h * 3600 + m * 60 + s
    }
}
