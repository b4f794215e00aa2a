/// The built-in rules that are data: Falco's format (lists, macros, rules; conditions in
/// Falco's language over `ka.*` and `audittop.*` fields), written as JSON so the core reads
/// it with its own parser. `FalcoRuleBook` loads it exactly as it loads a user's file, and a
/// user's Falco file may append to or override what it defines (`audittop_*` lists and
/// macros). `audittop rules list` shows every rule; `audittop rules show-builtin` prints this.
///
/// Each rule's `priority` is the Falco word for its severity: CRITICAL for critical, ERROR
/// for high, WARNING for medium, NOTICE for low.
public enum BuiltinRules {
    /// The rules, compiled once.
    public static let rules: [DataRule] = {
        var book = FalcoRuleBook()
        // A test loads this text and fails on any error, so this cannot fail at run time.
        try! book.add(root, file: DataRule.builtinOrigin, origin: DataRule.builtinOrigin)
        return try! book.compile()
    }()

    /// The text as a rules tree, for loading into a book before the user's files.
    public static var root: RuleNode { RuleNode(json: JSONValue.parse(text)!) }

    /// The host paths the sensitive-mount rule and the exec memory treat as sensitive (the
    /// `audittop_sensitive_host_paths` list).
    static let sensitiveHostPaths: [String] =
        root.sequence?.first { $0["list"]?.string == "audittop_sensitive_host_paths" }?["items"]?.strings ?? []

    /// The names of every built-in rule: these data rules and the stateful detectors.
    public static var names: [String] { rules.map(\.name) + BuiltinRule.allCases.map(\.name) }

    public static let text = #"""
    [
    {"macro": "audittop_decided", "condition": "not ka.stage = RequestReceived"},
    {"macro": "audittop_allowed", "condition": "audittop_decided and audittop.denied = false"},
    {"macro": "audittop_writes", "condition": "ka.verb in (create, update, patch)"},
    {"macro": "audittop_pod_created",
     "condition": "ka.target.resource = pods and not ka.target.subresource exists and ka.verb = create"},
    {"macro": "audittop_service_identity", "condition": "audittop.identity in (serviceaccount, node, controlplane)"},
    {"list": "audittop_sensitive_host_paths", "items": ["/", "/proc", "/etc", "/root", "/var/run/docker.sock",
     "/var/run/crio/crio.sock", "/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock", "/home/admin",
     "/var/lib/kubelet", "/var/lib/kubelet/pki", "/etc/kubernetes", "/etc/kubernetes/manifests", "/proc/", "/etc/", "/root/",
     "/var/lib/kubelet/", "/etc/kubernetes/"]},
    {"list": "audittop_kube_namespaces", "items": ["kube-system", "kube-public"]},
    {"list": "audittop_write_verbs", "items": ["create", "update", "patch", "delete", "deletecollection"]},
    {"list": "audittop_audit_configuration", "items": ["validatingwebhookconfigurations", "mutatingwebhookconfigurations",
     "validatingadmissionpolicies", "validatingadmissionpolicybindings", "auditsinks"]},
    {"list": "audittop_credential_words", "items": ["aws_access_key_id", "aws-access-key-id", "aws_s3_access_key_id",
     "aws-s3-access-key-id", "password", "passphrase"]},
    {"list": "audittop_modifiable_system_roles", "items": ["system:coredns", "system:managed-certificate-controller"]},

    {"rule": "Anonymous Request Allowed", "priority": "ERROR", "source": "k8s_audit", "tags": ["k8s", "identity"],
     "desc": "system:anonymous was allowed a request other than a health check",
     "condition": "audittop_allowed and ka.user.name = system:anonymous and audittop.probe = false",
     "output": "%ka.verb %audittop.target"},
    {"rule": "Attach/Exec Pod", "priority": "ERROR", "source": "k8s_audit", "tags": ["k8s", "workload"],
     "desc": "someone ran a command in, or attached to, a container (pods/exec, pods/attach)",
     "condition": "audittop_allowed and ka.target.resource = pods and ka.target.subresource in (exec, attach) and ka.verb in (create, get)",
     "output": "%ka.target.subresource into %ka.target.namespace/%ka.target.name"},
    {"rule": "Port-Forward Into Pod", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "workload"],
     "desc": "a port of a pod was forwarded to a client (pods/portforward)",
     "condition": "audittop_allowed and ka.target.resource = pods and ka.target.subresource = portforward",
     "output": "into %ka.target.namespace/%ka.target.name"},
    {"rule": "EphemeralContainers Created", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "workload"],
     "desc": "an ephemeral (debug) container was added to a running pod",
     "condition": "audittop_allowed and ka.target.resource = pods and ka.target.subresource = ephemeralcontainers and ka.verb in (update, patch)",
     "output": "into %ka.target.namespace/%ka.target.name"},
    {"rule": "Create Privileged Pod", "priority": "ERROR", "source": "k8s_audit", "tags": ["k8s", "workload"],
     "desc": "a pod with a privileged container was created (needs request bodies)",
     "condition": "audittop_allowed and audittop_pod_created and (ka.req.pod.containers.privileged intersects (true) or ka.req.pod.initContainers.privileged intersects (true) or ka.req.pod.ephemeralContainers.privileged intersects (true))",
     "output": "%ka.target.namespace/%audittop.object: privileged container %audittop.req.pod.privileged_containers"},
    {"rule": "Create HostNetwork Pod", "priority": "ERROR", "source": "k8s_audit", "tags": ["k8s", "workload"],
     "desc": "a pod using the node's network namespace was created (needs request bodies)",
     "condition": "audittop_allowed and audittop_pod_created and ka.req.pod.host_network = true",
     "output": "%ka.target.namespace/%audittop.object: hostNetwork"},
    {"rule": "Create HostPid Pod", "priority": "ERROR", "source": "k8s_audit", "tags": ["k8s", "workload"],
     "desc": "a pod sharing the node's process namespace was created (needs request bodies)",
     "condition": "audittop_allowed and audittop_pod_created and ka.req.pod.host_pid = true",
     "output": "%ka.target.namespace/%audittop.object: hostPID"},
    {"rule": "Create HostIPC Pod", "priority": "ERROR", "source": "k8s_audit", "tags": ["k8s", "workload"],
     "desc": "a pod sharing the node's IPC namespace was created (needs request bodies)",
     "condition": "audittop_allowed and audittop_pod_created and ka.req.pod.host_ipc = true",
     "output": "%ka.target.namespace/%audittop.object: hostIPC"},
    {"rule": "Create Sensitive Mount Pod", "priority": "ERROR", "source": "k8s_audit", "tags": ["k8s", "workload"],
     "desc": "a pod mounting a sensitive host path (/, /etc, /proc, /root, the runtime socket, kubelet or kubernetes folders) was created (needs request bodies)",
     "condition": "audittop_allowed and audittop_pod_created and ka.req.pod.volumes.hostpath intersects (audittop_sensitive_host_paths)",
     "output": "%ka.target.namespace/%audittop.object: mounts %ka.req.pod.volumes.hostpath"},
    {"rule": "Attach to cluster-admin Role", "priority": "ERROR", "source": "k8s_audit", "tags": ["k8s", "rbac"],
     "desc": "a ClusterRoleBinding or RoleBinding to cluster-admin was created or changed (needs request bodies)",
     "condition": "audittop_allowed and ka.target.resource in (clusterrolebindings, rolebindings) and audittop_writes and ka.req.binding.role = cluster-admin",
     "output": "binds cluster-admin to %audittop.req.subjects"},
    {"rule": "ClusterRole With Wildcard Created", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "rbac"],
     "desc": "a ClusterRole granting * resources or * verbs was created or changed (needs request bodies)",
     "condition": "audittop_allowed and ka.target.resource = clusterroles and audittop_writes and (ka.req.role.rules.resources intersects (\"*\") or ka.req.role.rules.verbs intersects (\"*\"))",
     "output": "%audittop.object grants resources %ka.req.role.rules.resources, verbs %ka.req.role.rules.verbs"},
    {"rule": "ClusterRole With Write Privileges Created", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "rbac"],
     "desc": "a ClusterRole granting write verbs was created (needs request bodies)",
     "condition": "audittop_allowed and ka.target.resource = clusterroles and ka.verb = create and ka.req.role.rules.verbs intersects (audittop_write_verbs)",
     "output": "%audittop.object grants %ka.req.role.rules.verbs"},
    {"rule": "ClusterRole With Pod Exec Created", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "rbac"],
     "desc": "a ClusterRole granting pods/exec was created (needs request bodies)",
     "condition": "audittop_allowed and ka.target.resource = clusterroles and ka.verb = create and ka.req.role.rules.resources intersects (pods/exec)",
     "output": "%audittop.object grants pods/exec"},
    {"rule": "System ClusterRole Modified/Deleted", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "rbac"],
     "desc": "a system: ClusterRole or Role was changed or deleted",
     "condition": "audittop_allowed and ka.target.resource in (clusterroles, roles) and ka.verb in (update, patch, delete) and ka.target.name startswith \"system:\" and not ka.target.name in (audittop_modifiable_system_roles)",
     "output": "%ka.verb %ka.target.name"},
    {"rule": "Secret Read By Non-Service Identity", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "secrets"],
     "desc": "a secret was read or listed by an identity that is not a service account, node or control-plane component",
     "condition": "audittop_allowed and ka.target.resource = secrets and ka.verb in (get, list, watch) and not audittop_service_identity",
     "output": "%ka.verb %audittop.target"},
    {"rule": "K8s Serviceaccount Created in Kube Namespace", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "identity"],
     "desc": "a service account was created in kube-system or kube-public",
     "condition": "audittop_allowed and ka.target.resource = serviceaccounts and not ka.target.subresource exists and ka.verb = create and ka.target.namespace in (audittop_kube_namespaces) and audittop.platform = false",
     "output": "in %ka.target.namespace"},
    {"rule": "Pod Created in Kube Namespace", "priority": "NOTICE", "source": "k8s_audit", "tags": ["k8s", "workload"],
     "desc": "a pod was created in kube-system or kube-public by someone other than the control plane",
     "condition": "audittop_allowed and audittop_pod_created and ka.target.namespace in (audittop_kube_namespaces) and (audittop.req.pod.untrusted_images exists or (not ka.req.pod.containers.image exists and audittop.platform = false))",
     "output": "%audittop.object in %ka.target.namespace runs %audittop.req.pod.untrusted_images"},
    {"rule": "Impersonation", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "identity"],
     "desc": "a request was made while impersonating another user",
     "condition": "audittop_allowed and ka.impuser.name exists",
     "output": "as %ka.impuser.name"},
    {"rule": "Node Proxy Access", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "node"],
     "desc": "the API server proxied a request to a node (nodes/proxy: the kubelet API)",
     "condition": "audittop_allowed and ka.target.resource = nodes and ka.target.subresource = proxy",
     "output": "%ka.verb %ka.uri"},
    {"rule": "K8s Events Deleted", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "evasion"],
     "desc": "Kubernetes events were deleted (covering tracks)",
     "condition": "audittop_allowed and ka.target.resource = events and ka.verb in (delete, deletecollection)",
     "output": "%ka.verb events in %ka.target.namespace"},
    {"rule": "Audit-Relevant Configuration Deleted", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "evasion"],
     "desc": "admission webhooks, admission policies or audit sinks were deleted",
     "condition": "audittop_allowed and ka.target.resource in (audittop_audit_configuration) and ka.verb in (delete, deletecollection)",
     "output": "%ka.verb %audittop.target"},
    {"rule": "Create NodePort Service", "priority": "NOTICE", "source": "k8s_audit", "tags": ["k8s", "network"],
     "desc": "a Service of type NodePort was created (needs request bodies)",
     "condition": "audittop_allowed and ka.target.resource = services and not ka.target.subresource exists and ka.verb = create and ka.req.service.type = NodePort",
     "output": "service %audittop.object"},
    {"rule": "Create/Modify Configmap With Private Credentials", "priority": "WARNING", "source": "k8s_audit", "tags": ["k8s", "secrets"],
     "desc": "a ConfigMap holding what looks like credentials was created or changed (needs request bodies)",
     "condition": "audittop_allowed and ka.target.resource = configmaps and audittop_writes and ka.req.configmap.obj icontains (audittop_credential_words)",
     "output": "%audittop.object holds what looks like a credential"}
    ]
    """#
}
