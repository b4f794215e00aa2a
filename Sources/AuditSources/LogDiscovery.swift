import Foundation

/// Where the audit log is when no source is named: the apiserver's own `--audit-log-path`
/// (from kubeadm's static pod manifest, or k3s's and RKE2's config), then where each
/// distribution writes it by default. With `--audit-log-path=-` the events go to the
/// apiserver's stdout, so the pod's CRI log under `/var/log/pods` is the place.
///
/// Every path is looked up under `root` (`AUDITTOP_ROOT`, normally `/`), so it can be tested
/// against a fake filesystem.
public struct LogDiscovery {
    /// The folder every path is under: `/` on a real node.
    public let root: String

    public init(root: String = ProcessInfo.processInfo.environment["AUDITTOP_ROOT"] ?? "/") {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// A place a distribution keeps its audit log.
    public struct Place: Sendable {
        public var platform: String
        public var location: String
        public var command: String
    }

    /// Where each distribution writes the log by default, in the order they are tried.
    public static let defaultPaths = [
        "/var/log/kubernetes/audit/audit.log", "/var/log/kubernetes/audit.log", "/var/log/kubernetes/kube-apiserver-audit.log",
        "/var/lib/rancher/k3s/server/logs/audit.log", "/var/lib/rancher/rke2/server/logs/audit.log",
        "/var/log/kube-apiserver/audit.log", "/var/log/openshift-apiserver/audit.log", "/var/log/oauth-apiserver/audit.log",
    ]

    /// The files that configure the apiserver's flags.
    public static let configFiles = [
        "/etc/kubernetes/manifests/kube-apiserver.yaml", "/etc/rancher/k3s/config.yaml", "/etc/rancher/rke2/config.yaml",
    ]

    /// What was found: the logs to follow, in order, and every path looked at.
    public struct Result: Sendable {
        public var found: [String] = []
        public var tried: [String] = []
    }

    /// The audit logs on this machine (paths as they are on it, without `root`).
    public func find() -> Result {
        var result = Result()
        var seen = Set<String>()
        func consider(_ path: String) {
            result.tried.append(path)
            guard isFile(path) else { return }
            let real = URL(fileURLWithPath: root + path).resolvingSymlinksInPath().path
            if seen.insert(real).inserted { result.found.append(path) }
        }
        for config in Self.configFiles {
            guard let flag = configuredPath(config) else { continue }
            if flag == "-" {
                podLogs().forEach(consider)
            } else {
                consider(flag)
            }
        }
        Self.defaultPaths.forEach(consider)
        return result
    }

    /// The `--audit-log-path` (or k3s's `audit-log-path=`) value in a config file.
    public func configuredPath(_ file: String) -> String? {
        guard let text = try? String(contentsOfFile: root + file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
            guard let at = line.range(of: "audit-log-path") else { continue }
            var value = line[at.upperBound...].drop { $0 == "=" || $0 == ":" || $0 == " " || $0 == "\"" || $0 == "'" }
            value = value.prefix { $0 != "\"" && $0 != "'" && $0 != " " && $0 != "," }
            if !value.isEmpty { return String(value) }
        }
        return nil
    }

    /// The apiserver pods' current CRI logs (`/var/log/pods/kube-system_kube-apiserver-*`).
    func podLogs() -> [String] {
        let pods = "/var/log/pods"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root + pods) else { return [] }
        return entries.filter { $0.hasPrefix("kube-system_kube-apiserver-") }.sorted().compactMap { pod in
            let folder = "\(pods)/\(pod)/kube-apiserver"
            let logs = (try? FileManager.default.contentsOfDirectory(atPath: root + folder)) ?? []
            // kubelet names them by restart count: the highest is the one being written.
            return logs.filter { $0.hasSuffix(".log") }.max { (Int($0.dropLast(4)) ?? 0) < (Int($1.dropLast(4)) ?? 0) }
                .map { "\(folder)/\($0)" }
        }
    }

    private func isFile(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: root + path, isDirectory: &directory) && !directory.boolValue
    }

    /// Where each platform keeps the log, and the one command that watches it.
    public static let places: [Place] = [
        Place(platform: "kubeadm", location: "/var/log/kubernetes/audit/audit.log (kube-apiserver's --audit-log-path)",
              command: "sudo audittop /var/log/kubernetes/audit/audit.log"),
        Place(platform: "k3s", location: "/var/lib/rancher/k3s/server/logs/audit.log",
              command: "sudo audittop /var/lib/rancher/k3s/server/logs/audit.log"),
        Place(platform: "RKE2", location: "/var/lib/rancher/rke2/server/logs/audit.log",
              command: "sudo audittop /var/lib/rancher/rke2/server/logs/audit.log"),
        Place(platform: "OpenShift", location: "/var/log/kube-apiserver/audit.log on each control-plane node",
              command: "oc adm node-logs --role=master --path=kube-apiserver/audit.log | audittop -"),
        Place(platform: "EKS", location: "CloudWatch Logs: /aws/eks/CLUSTER/cluster, streams kube-apiserver-audit-*",
              command: "audittop --exec 'aws logs tail /aws/eks/CLUSTER/cluster --log-stream-name-prefix kube-apiserver-audit --follow'"),
        Place(platform: "GKE", location: "Cloud Logging: resource.type=k8s_cluster, logName cloudaudit.googleapis.com",
              command: "audittop --exec 'gcloud logging tail \"resource.type=k8s_cluster AND logName:cloudaudit.googleapis.com\" --format=json'"),
        Place(platform: "AKS", location: "a diagnostic setting's kube-audit category, in a storage account or Event Hubs",
              command: "audittop PT1H.json (the blobs under insights-logs-kube-audit/)"),
        Place(platform: "kind", location: "/var/log/kubernetes/kube-apiserver-audit.log inside the control-plane container",
              command: "audittop --exec 'docker exec kind-control-plane tail -F /var/log/kubernetes/kube-apiserver-audit.log'"),
        Place(platform: "minikube", location: "the apiserver's stdout, with --extra-config=apiserver.audit-log-path=-",
              command: "audittop --exec 'kubectl logs -f -n kube-system kube-apiserver-minikube'"),
        Place(platform: "stdout (-)", location: "/var/log/pods/kube-system_kube-apiserver-*/kube-apiserver/*.log (CRI lines)",
              command: "audittop --exec 'kubectl logs -f -n kube-system -l component=kube-apiserver --tail=-1'"),
    ]

    /// `places` as a table for a terminal.
    public static var table: String {
        let width = places.map(\.platform.count).max() ?? 0
        return places.map { p in
            "  " + p.platform.padding(toLength: width + 2, withPad: " ", startingAt: 0) + p.location + "\n"
                + String(repeating: " ", count: width + 4) + p.command
        }.joined(separator: "\n")
    }
}
