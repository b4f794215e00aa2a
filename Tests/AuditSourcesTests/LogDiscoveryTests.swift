import AuditSources
import Foundation
import Testing

/// Finding the audit log with no argument, on fake machines under a root folder.
@Suite struct LogDiscoveryTests {
    /// A fake root holding `files` (path: contents).
    static func machine(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("audittop-root-\(UUID().uuidString)").path
        for (path, text) in files {
            let full = root + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    @Test(arguments: [
        ("/var/lib/rancher/k3s/server/logs/audit.log", "k3s"),
        ("/var/lib/rancher/rke2/server/logs/audit.log", "RKE2"),
        ("/var/log/kubernetes/audit/audit.log", "kubeadm"),
    ])
    func eachDistributionsDefaultPathIsFound(_ path: String, _ platform: String) throws {
        let root = try Self.machine([path: "{}\n"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(LogDiscovery(root: root).find().found == [path], "\(platform)")
    }

    @Test func openShiftsThreeApiserversAreAllFollowed() throws {
        let logs = ["/var/log/kube-apiserver/audit.log", "/var/log/openshift-apiserver/audit.log", "/var/log/oauth-apiserver/audit.log"]
        let root = try Self.machine(Dictionary(uniqueKeysWithValues: logs.map { ($0, "") }))
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(LogDiscovery(root: root).find().found == logs)
    }

    @Test func theManifestsAuditLogPathComesFirst() throws {
        let manifest = """
            apiVersion: v1
            kind: Pod
            spec:
              containers:
              - command:
                - kube-apiserver
                - --advertise-address=10.0.0.10
                # - --audit-log-path=/old/audit.log
                - --audit-log-path=/srv/audit/kube-audit.log
                - --audit-policy-file=/etc/kubernetes/audit-policy.yaml
            """
        let root = try Self.machine([
            "/etc/kubernetes/manifests/kube-apiserver.yaml": manifest, "/srv/audit/kube-audit.log": "",
            "/var/log/kubernetes/audit.log": "", "/old/audit.log": "",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = LogDiscovery(root: root).find()
        #expect(result.found == ["/srv/audit/kube-audit.log", "/var/log/kubernetes/audit.log"])
    }

    @Test func k3sConfiguredPathIsRead() throws {
        let config = """
            write-kubeconfig-mode: "0644"
            kube-apiserver-arg:
              - "audit-policy-file=/etc/rancher/k3s/audit-policy.yaml"
              - "audit-log-path=/var/log/k3s-audit.log"
            """
        let root = try Self.machine(["/etc/rancher/k3s/config.yaml": config, "/var/log/k3s-audit.log": ""])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(LogDiscovery(root: root).find().found == ["/var/log/k3s-audit.log"])
    }

    @Test func anApiserverWritingToStdoutIsFoundInItsPodLog() throws {
        let pod = "/var/log/pods/kube-system_kube-apiserver-cp-1_0f3c9a/kube-apiserver"
        let root = try Self.machine([
            "/etc/kubernetes/manifests/kube-apiserver.yaml": "    - --audit-log-path=-\n",
            "\(pod)/0.log": "", "\(pod)/2.log": "", "\(pod)/10.log": "",
            "/var/log/pods/kube-system_etcd-cp-1_77aa/etcd/0.log": "",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(LogDiscovery(root: root).find().found == ["\(pod)/10.log"])
    }

    @Test func anEmptyMachineFindsNothingAndTheTableNamesEveryPlatform() throws {
        let root = try Self.machine([:])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = LogDiscovery(root: root).find()
        #expect(result.found.isEmpty)
        #expect(result.tried.count == LogDiscovery.defaultPaths.count)
        for platform in ["kubeadm", "k3s", "RKE2", "OpenShift", "EKS", "GKE", "AKS", "kind", "minikube"] {
            #expect(LogDiscovery.table.contains("  \(platform) "), "\(platform)")
        }
        // Each place comes with the one command that watches it.
        #expect(LogDiscovery.places.allSatisfy { $0.command.contains("audittop ") })
    }
}
