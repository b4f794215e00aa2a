/// A field a rule's condition or output reads from an event.
public enum EventField: Sendable, Hashable {
    /// A field of Falco's k8saudit plugin (`ka.*`) or json plugin (`jevt.*`), with its
    /// argument (`ka.uri.param[command]`, `jevt.value[/stage]`, `ka.req.pod.containers.image[0]`).
    case falco(FalcoField, argument: String?)
    /// A dotted path into the event, as Sigma names fields (`objectRef.resource`); arrays on
    /// the way are searched element by element.
    case path([String])
    /// What audittop knows beyond the event: who the identity is, whether the request was
    /// refused, whether it was a health probe. The built-in rules use them; any rule may.
    case audittop(AudittopField)

    /// The field as written in a rule.
    public var name: String {
        switch self {
        case .falco(let f, let argument): f.name + (argument.map { "[\($0)]" } ?? "")
        case .path(let keys): keys.joined(separator: ".")
        case .audittop(let f): f.rawValue
        }
    }
}

/// audittop's own fields (`audittop.*`), for Falco-format rules.
public enum AudittopField: String, Sendable, CaseIterable {
    /// `true` when the request was refused: 401, 403, the authorizer's `forbid`, or any 4xx.
    case denied = "audittop.denied"
    /// `true` for an anonymous health or discovery probe (`/healthz`, `/livez`, `/version`, …).
    case probe = "audittop.probe"
    /// What kind of identity acted: anonymous, unauthenticated, controlplane, node,
    /// serviceaccount, system or person.
    case identity = "audittop.identity"
    /// `true` for the control plane, nodes and kube-system's service accounts.
    case platform = "audittop.platform"
    /// The object's name: the request body's, the objectRef's, or its generateName and `…`.
    case object = "audittop.object"
    /// The resource, subresource and name as the screen shows them (`pods/exec web-1`).
    case target = "audittop.target"
    /// The names of a binding's subjects, joined by `, `.
    case subjects = "audittop.req.subjects"
    /// The images of a pod's containers that are not from the Kubernetes project's, the
    /// clouds' or the usual CNI registries (none: no value).
    case untrustedImages = "audittop.req.pod.untrusted_images"
    /// The names of a pod's privileged containers (init and ephemeral ones too), joined by `, `.
    case privilegedContainers = "audittop.req.pod.privileged_containers"

    var readsBody: Bool { [.object, .subjects, .untrustedImages, .privilegedContainers].contains(self) }
}

/// Which containers of a pod a `ka.req.pod.*` field reads.
public enum ContainerSet: String, Sendable, CaseIterable {
    case containers, initContainers, ephemeralContainers
}

/// What a `ka.req.pod.<containers>.*` field reads from each container.
public enum ContainerAttribute: String, Sendable, CaseIterable {
    case name, image, imageRepository = "image.repository", command, args, privileged
    case allowPrivilegeEscalation = "allow_privilege_escalation", readOnlyFS = "read_only_fs"
    case runAsUser = "run_as_user", effectiveRunAsUser = "eff_run_as_user", runAsGroup = "run_as_group"
    case effectiveRunAsGroup = "eff_run_as_group", procMount = "proc_mount", addCapabilities = "add_capabilities"
    case hostPort = "host_port"
}

/// The fields of Falco's k8saudit plugin (falcosecurity/plugins, `fields.go`) and the json
/// plugin's `jevt.*`, with the plugin's meaning for each.
public enum FalcoField: Sendable, Hashable {
    case auditID, stage, authDecision, authReason, userName, userGroups, impersonatedUser, verb, uri, uriParam
    case targetName, targetNamespace, targetResource, targetSubresource
    case bindingSubjects, bindingRole, bindingSubjectHasName, configMapName, configMapObject
    case firstImage, firstImageRepository, hostIPC, hostNetwork, hostPID, anyPrivileged
    case podRunAsUser, podRunAsGroup, podFSGroup, supplementalGroups
    case container(ContainerSet, ContainerAttribute)
    case roleRules, roleRulesField(String)
    case serviceType, servicePorts, volumeHostPaths, volumeHostPathUsed, flexVolumeDrivers, volumeTypes
    case responseName, responseCode, responseReason, userAgent, sourceIPs, clusterName
    case jsonValue, jsonObject, rawTime

    /// Every field by its name.
    public static let byName: [String: FalcoField] = {
        var out: [String: FalcoField] = [
            "ka.auditid": .auditID, "ka.stage": .stage, "ka.auth.decision": .authDecision, "ka.auth.reason": .authReason,
            "ka.user.name": .userName, "ka.user.groups": .userGroups, "ka.impuser.name": .impersonatedUser, "ka.verb": .verb,
            "ka.uri": .uri, "ka.uri.param": .uriParam, "ka.target.name": .targetName, "ka.target.namespace": .targetNamespace,
            "ka.target.resource": .targetResource, "ka.target.subresource": .targetSubresource,
            "ka.req.binding.subjects": .bindingSubjects, "ka.req.binding.role": .bindingRole,
            "ka.req.binding.subject.has_name": .bindingSubjectHasName, "ka.req.configmap.name": .configMapName,
            "ka.req.configmap.obj": .configMapObject, "ka.req.container.image": .firstImage,
            "ka.req.container.image.repository": .firstImageRepository, "ka.req.pod.host_ipc": .hostIPC,
            "ka.req.pod.host_network": .hostNetwork, "ka.req.container.host_network": .hostNetwork, "ka.req.pod.host_pid": .hostPID,
            "ka.req.container.privileged": .anyPrivileged, "ka.req.pod.run_as_user": .podRunAsUser,
            "ka.req.pod.run_as_group": .podRunAsGroup, "ka.req.pod.fs_group": .podFSGroup,
            "ka.req.pod.supplemental_groups": .supplementalGroups, "ka.req.role.rules": .roleRules,
            "ka.req.service.type": .serviceType, "ka.req.service.ports": .servicePorts,
            "ka.req.pod.volumes.hostpath": .volumeHostPaths, "ka.req.volume.hostpath": .volumeHostPathUsed,
            "ka.req.pod.volumes.flexvolume_driver": .flexVolumeDrivers, "ka.req.pod.volumes.volume_type": .volumeTypes,
            "ka.resp.name": .responseName, "ka.response.code": .responseCode, "ka.response.reason": .responseReason,
            "ka.useragent": .userAgent, "ka.sourceips": .sourceIPs, "ka.cluster.name": .clusterName,
            "jevt.value": .jsonValue, "jevt.obj": .jsonObject, "jevt.rawtime": .rawTime,
            "json.value": .jsonValue, "json.obj": .jsonObject, "json.rawtime": .rawTime,
        ]
        for key in ["apiGroups", "nonResourceURLs", "verbs", "resources"] { out["ka.req.role.rules." + key] = .roleRulesField(key) }
        for set in ContainerSet.allCases {
            for attribute in ContainerAttribute.allCases { out["ka.req.pod.\(set.rawValue).\(attribute.rawValue)"] = .container(set, attribute) }
        }
        return out
    }()

    public var name: String { FalcoField.names[self] ?? "?" }
    private static let names: [FalcoField: String] = {
        var out: [FalcoField: String] = [:]
        for (name, field) in byName.sorted(by: { $0.key < $1.key }) where out[field] == nil || name.hasPrefix("ka.req.pod") || name.hasPrefix("jevt") {
            out[field] = name
        }
        return out
    }()

    /// The plugin gives a list of values (`in` then means every value is in the set).
    public var isList: Bool {
        switch self {
        case .userGroups, .bindingSubjects, .supplementalGroups, .container, .roleRules, .roleRulesField, .servicePorts,
            .volumeHostPaths, .flexVolumeDrivers, .volumeTypes, .sourceIPs:
            true
        default: false
        }
    }

    /// The field needs an argument in brackets (`ka.uri.param[key]`).
    var needsArgument: Bool { [.uriParam, .bindingSubjectHasName, .volumeHostPathUsed, .jsonValue].contains(self) }

    /// The field may take an index (`ka.req.pod.containers.image[0]`).
    var takesIndex: Bool {
        switch self {
        case .container, .roleRulesField, .servicePorts, .volumeHostPaths, .flexVolumeDrivers, .volumeTypes, .sourceIPs: true
        default: false
        }
    }

    /// Read from the request body (`requestObject`): needs a policy at level Request or above.
    public var readsBody: Bool {
        switch self {
        case .bindingSubjects, .bindingRole, .configMapObject, .firstImage, .firstImageRepository, .hostIPC, .hostNetwork,
            .hostPID, .anyPrivileged, .podRunAsUser, .podRunAsGroup, .podFSGroup, .supplementalGroups, .container, .roleRules,
            .roleRulesField, .serviceType, .servicePorts, .volumeHostPaths, .volumeHostPathUsed, .flexVolumeDrivers, .volumeTypes:
            true
        default: false
        }
    }
}
