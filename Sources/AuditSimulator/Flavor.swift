/// Which platform the simulated cluster runs on: it decides the node names, the admin, and
/// the platform's own controllers in the log.
public enum Flavor: String, CaseIterable, Sendable {
    /// A self-managed kubeadm cluster: `kubernetes-admin`, masters `k8s-master-0N`, workers `k8s-worker-NN`.
    case kubeadm
    /// Amazon EKS: `eks:*` controllers, nodes `ip-10-0-X-Y.eu-west-1.compute.internal`, an IAM-mapped admin.
    case eks
    /// Azure AKS: `aksService`, `masterclient`, `nodeclient`, nodes `aks-nodepool1-12345678-vmss00000N`.
    case aks
    /// Google GKE: `system:gke-*` and `…@container-engine-robot.iam.gserviceaccount.com`, nodes `gke-prod-default-pool-…`.
    case gke
    /// OpenShift: `kube:admin`, `system:serviceaccount:openshift-*` operators, nodes `master-N` and `worker-…`.
    case openshift
}
