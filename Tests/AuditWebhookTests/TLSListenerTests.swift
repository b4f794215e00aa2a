import AuditWebhook
import Foundation
import Testing

/// Certificates for the TLS tests, made with openssl in a temporary folder: a CA, a server
/// certificate for 127.0.0.1 signed by it, a client certificate signed by it, and a client
/// certificate from an unrelated CA.
struct TestCertificates {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=audittop test CA",
                    "-keyout", path("ca.key"), "-out", path("ca.pem"))
        try openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=rogue CA",
                    "-keyout", path("rogue-ca.key"), "-out", path("rogue-ca.pem"))
        try issue("server", cn: "127.0.0.1", ca: "ca", extensions: "subjectAltName=IP:127.0.0.1")
        try issue("client", cn: "kube-apiserver-1", ca: "ca", extensions: "extendedKeyUsage=clientAuth")
        try issue("rogue", cn: "intruder", ca: "rogue-ca", extensions: "extendedKeyUsage=clientAuth")
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    private func issue(_ name: String, cn: String, ca: String, extensions: String) throws {
        try openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(cn)", "-keyout", path("\(name).key"), "-out", path("\(name).csr"))
        try Data("\(extensions)\n".utf8).write(to: URL(fileURLWithPath: path("\(name).ext")))
        try openssl("x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
                    "-CAcreateserial", "-days", "1", "-extfile", path("\(name).ext"), "-out", path("\(name).pem"))
    }

    private func openssl(_ args: String...) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CertificateError(step: args.joined(separator: " ")) }
    }
}

struct CertificateError: Error {
    var step: String
}

@Suite(.serialized) struct TLSListenerTests {
    @Test func httpsServesWithTheGivenCertificate() throws {
        let certs = try TestCertificates()
        var settings = WebhookSettings()
        settings.tlsCertificate = certs.path("server.pem")
        settings.tlsKey = certs.path("server.key")
        let l = try LiveListener(tls: true, settings: settings)
        #expect(try curl(json + ["--cacert", certs.path("ca.pem"), l.url], body: batch(0..<5)).status == "200")
        #expect(l.waitFor { $0.counters.ingested == 5 })
        // A client that does not trust the CA refuses the connection.
        #expect(try curl(json + [l.url], body: batch(5..<6)).exit != 0)
    }

    @Test func mutualTLSAcceptsTheCASignedClientAndRefusesOthers() throws {
        let certs = try TestCertificates()
        var settings = WebhookSettings()
        settings.tlsCertificate = certs.path("server.pem")
        settings.tlsKey = certs.path("server.key")
        settings.clientCA = certs.path("ca.pem")
        let l = try LiveListener(tls: true, settings: settings)
        let good = try curl(json + ["--cacert", certs.path("ca.pem"), "--cert", certs.path("client.pem"), "--key", certs.path("client.key"), l.url],
                            body: batch(0..<3))
        #expect(good.status == "200")
        let rogue = try curl(json + ["--cacert", certs.path("ca.pem"), "--cert", certs.path("rogue.pem"), "--key", certs.path("rogue.key"), l.url],
                             body: batch(3..<4))
        #expect(rogue.status != "200")
        let none = try curl(json + ["--cacert", certs.path("ca.pem"), l.url], body: batch(4..<5))
        #expect(none.status != "200")
        #expect(l.waitFor { $0.counters.ingested == 3 })
        usleep(200_000)
        #expect(l.store.withStore { $0.counters.ingested } == 3)
        #expect(!l.listener.isUnprotected)
        // The client certificate's CN names the source of its events.
        #expect(l.store.withStore { s in s.sourceNames.contains("kube-apiserver-1") })
        #expect(l.store.withStore { s in s.stats.sources.count(UInt32(s.sourceNames.firstIndex(of: "kube-apiserver-1") ?? 0)) } == 3)
    }

    @Test func missingTLSFilesAreAClearError() {
        var settings = WebhookSettings()
        settings.tlsCertificate = "/nonexistent/server.pem"
        settings.tlsKey = "/nonexistent/server.key"
        let listener = WebhookListener(endpoint: WebhookEndpoint(url: "https://127.0.0.1:0/k8s-audit")!, settings: settings)
        #expect(throws: WebhookError.self) { try listener.start() }
        let noFiles = WebhookListener(endpoint: WebhookEndpoint(url: "https://127.0.0.1:0/k8s-audit")!, settings: WebhookSettings())
        do {
            try noFiles.start()
            Issue.record("started without certificates")
        } catch {
            #expect("\(error)".contains("--tls-cert"))
        }
    }
}
