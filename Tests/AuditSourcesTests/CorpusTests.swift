import AuditTestSupport
import AuditCore
import AuditSources
import Foundation
import Testing

@Suite struct CorpusTests {
    @Test(.needsCorpus) func theReadmeListsEveryCorpusFile() throws {
        let entries = try Corpus.entries()
        #expect(entries.count >= 60)
        #expect(entries.reduce(0) { $0 + $1.events } == 238)
    }

    /// Every file decodes to exactly the events the corpus README counts in it, with nothing
    /// malformed; files that hold no Event (OTLP, ViaQ records) yield none.
    @Test(.needsCorpus, arguments: try Corpus.entries())
    func everyCorpusFileDecodesToItsEvents(_ entry: Corpus.Entry) throws {
        let store = try Corpus.read(entry.path)
        #expect(store.counters.ingested + store.counters.duplicates == entry.events, "\(entry.path) (\(entry.format))")
        if entry.events > 0 {
            #expect(store.counters.malformed.total == 0, "\(entry.path)")
        }
    }

    @Test(.needsCorpus) func realEventsMatchAnIndependentCount() throws {
        let events = try Corpus.realEvents()
        #expect(events.count == 238)
        // Independent reference: Foundation's JSON parser and the definitions from the issue.
        var seen = Set<String>()
        var requests: [String: [[String: Any]]] = [:]
        var order: [String] = []
        var duplicates = 0
        for e in events {
            let id = e["auditID"] as! String
            let key = id + "/" + (e["stage"] as! String)
            if !seen.insert(key).inserted { duplicates += 1; continue }
            if requests[id] == nil { order.append(id) }
            requests[id, default: []].append(e)
        }
        func rank(_ e: [String: Any]) -> Int {
            ["RequestReceived": 1, "ResponseStarted": 2, "ResponseComplete": 3, "Panic": 3][e["stage"] as! String] ?? 0
        }
        var users: [String: Int] = [:]
        var verbs: [String: Int] = [:]
        var codes: [Int: Int] = [:]
        var namespaces: [String: Int] = [:]
        var denied = 0
        var anonymous = 0
        var unknown = Set<String>()
        for id in order {
            let stages = requests[id]!
            let first = stages[0]
            let final = stages.max { rank($0) < rank($1) }!
            // The identity is the impersonated user when there is one.
            let impersonated = (first["impersonatedUser"] as? [String: Any])?["username"] as? String
            let user = impersonated ?? (first["user"] as? [String: Any])?["username"] as? String ?? ""
            let groups = impersonated == nil ? (first["user"] as? [String: Any])?["groups"] as? [String] ?? [] : []
            users[user, default: 0] += 1
            verbs[first["verb"] as! String, default: 0] += 1
            let code = (final["responseStatus"] as? [String: Any])?["code"] as? Int ?? -1
            codes[code, default: 0] += 1
            if let ns = (first["objectRef"] as? [String: Any])?["namespace"] as? String, !ns.isEmpty { namespaces[ns, default: 0] += 1 }
            let decision = (final["annotations"] as? [String: Any])?["authorization.k8s.io/decision"] as? String
            if code == 401 || code == 403 || decision == "forbid" { denied += 1 }
            if user == "system:anonymous" { anonymous += 1 }
            // Unknown: anyone off the platform list; anonymous except allowed probes; no name at all.
            let path = String((first["requestURI"] as? String ?? "").split(separator: "?").first ?? "")
            let probe = first["objectRef"] == nil
                && ["/healthz", "/livez", "/readyz", "/version", "/.well-known/openid-configuration", "/openid/v1/jwks"]
                    .contains { path == $0 || path.hasPrefix($0 + "/") }
            let platform = user.hasPrefix("system:") || user.hasPrefix("eks:") || groups.contains("system:masters")
                || ["kubernetes-admin", "kubernetes-super-admin", "kube:admin", "aksService", "masterclient", "nodeclient"].contains(user)
                || user.hasSuffix("@container-engine-robot.iam.gserviceaccount.com") || user.hasSuffix("@cloudservices.gserviceaccount.com")
            if user.isEmpty || (user == "system:anonymous" && !(probe && code != 401 && code != 403 && decision != "forbid"))
                || (user != "system:anonymous" && !platform)
            {
                unknown.insert(user)
            }
        }

        let store = try Corpus.read("real-events.jsonl")
        let s = store.strings
        #expect(store.counters.ingested == seen.count)
        #expect(store.counters.duplicates == duplicates)
        #expect(store.counters.requests == requests.count)
        #expect(store.counters.malformed.total == 0)
        for (user, n) in users { #expect(store.stats.users.count(user.isEmpty ? 0 : s.lookup(user)!) == n, "\(user)") }
        for (verb, n) in verbs { #expect(store.stats.verbs.count(s.lookup(verb)!) == n, "\(verb)") }
        for (code, n) in codes { #expect(store.stats.codes.count(UInt32(code + 1)) == n, "\(code)") }
        for (ns, n) in namespaces { #expect(store.stats.namespaces.count(s.lookup(ns)!) == n, "\(ns)") }
        #expect(store.stats.denied.total == denied)
        #expect(store.stats.anonymousRequests == anonymous)
        #expect(Set(store.stats.unknown.users.map(s.string)) == unknown)
    }

    @Test(.needsCorpus) func theCorpusReadsTheSameWhenFedInTinyChunks() throws {
        let whole = try Corpus.read("real-events.jsonl")
        let store = EventStore()
        var reader = LogReader()
        reader.chunkSize = 97
        try reader.read(Corpus.root.appendingPathComponent("real-events.jsonl").path, into: store)
        #expect(store.counters == whole.counters)
        #expect(store.stats.denied.total == whole.stats.denied.total)
    }

    @Test func aMissingFileIsAClearError() {
        #expect(throws: SourceError.self) { try LogReader().read("/nonexistent/audit.log", into: EventStore()) }
        do {
            try LogReader().read("/nonexistent/audit.log", into: EventStore())
        } catch {
            #expect(error.description == "cannot read /nonexistent/audit.log: No such file or directory")
        }
    }

    @Test(.needsCorpus) func aYAMLEventFromATicketDecodes() throws {
        let store = try Corpus.read("GoogleCloudPlatform__khi/test/logs/oss/test-log.yaml")
        #expect(store.counters.ingested == 1)
        let e = try #require(store.ring[sequence: 0])
        #expect(store.strings.string(e.user) == "system:kube-scheduler")
        #expect(store.strings.string(e.verb) == "update")
        #expect(e.code == 200)
        #expect(e.received != 0)
    }
}
