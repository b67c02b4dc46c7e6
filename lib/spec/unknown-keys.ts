/**
 * Messages for keys kaws does not know. A key kube-aws understood gets "kube-aws feature kaws does
 * not support" (so a kube-aws user knows it is not a typo); anything else gets a "did you mean".
 */

/** cluster.yaml keys of kube-aws (0.9.x - 0.16) that kaws deliberately does not implement, by where they sit. */
const KUBE_AWS_FEATURES: Record<string, readonly string[]> = {
  '': [
    'addons',
    'adminAPIEndpointName',
    'amazonSsmAgent',
    'apiServerFlags',
    'apiServerVolumes',
    'assetsEncryption',
    'awsCliImage',
    'calicoCniImage',
    'calicoKubeControllersImage',
    'calicoCtlImage',
    'calicoNodeImage',
    'calicoPolicyControllerImage',
    'cloudFormationStreaming',
    'cloudWatchLogging',
    'clusterAutoscalerImage',
    'clusterProportionalAutoscalerImage',
    'containerRuntime',
    'controllerCreateTimeout',
    'controllerIP',
    'controllerTenancy',
    'customSettings',
    'dexImage',
    'dnsMasqMetricsImage',
    'eipAllocationIDs',
    'elasticFileSystemId',
    'etcdDataVolumeEphemeral',
    'etcdTenancy',
    'execHealthzImage',
    'experimental',
    'featureGates',
    'flannelImage',
    'heapsterImage',
    'helmImage',
    'hostOS',
    'hyperkubeImage',
    'journaldCloudWatchLogsImage',
    'kiamSupport',
    'kube2IamSupport',
    'kube2iamImage',
    'kubeAwsPlugins',
    'kubeDashboardImage',
    'kubeDns',
    'kubeDnsImage',
    'kubeDnsMasqImage',
    'kubeProxy',
    'kubeReschedulerImage',
    'kubeResourcesAutosave',
    'kubelet',
    'kubernetes',
    'kubernetesDashboard',
    'kubernetesDashboardImage',
    'manageCertificates',
    'metricsServerImage',
    'networking',
    'nodeDrainer',
    'oidc',
    'pauseImage',
    'plugins',
    'sharedPersistentVolume',
    'sshAccessAllowedSourceCIDRs',
    'tillerImage',
    'useCalico',
    'waitSignal',
    'workerCreateTimeout',
    'workerSecurityGroupIds',
    'workerTenancy',
    'workerTopologyPrivate',
  ],
  controller: [
    'autoscaling',
    'createTimeout',
    'customSettings',
    'customFiles',
    'customSystemdUnits',
    'iam',
    'instanceTags',
    'keyName',
    'loadBalancer',
    'managedIamRoleName',
    'nodeLabels',
    'securityGroupIds',
    'taints',
    'tenancy',
    'userData',
    'volumeMounts',
  ],
  etcd: [
    'customFiles',
    'customSystemdUnits',
    'disasterRecovery',
    'hostedZone',
    'iam',
    'instanceTags',
    'internalDomainName',
    'kmsKeyArn',
    'manageRecordSets',
    'memberIdentityProvider',
    'nodes',
    'securityGroupIds',
    'snapshot',
    'tenancy',
    'userSuppliedArgs',
  ],
  'etcd.dataVolume': ['ephemeral'],
  subnets: ['idFromStackOutput', 'natGateway', 'routeTable'],
  'apiEndpoints.loadBalancer': ['id', 'managed', 'securityGroupIds'],
  worker: ['apiEndpointName'],
  'worker.nodePools': [
    'amiId',
    'apiEndpointName',
    'autoscaling',
    'awsCliImage',
    'AwsCliImage',
    'awsEnvironment',
    'awsNodeLabels',
    'clusterAutoscaler',
    'clusterAutoscalerSupport',
    'createTimeout',
    'customFiles',
    'customSettings',
    'customSystemdUnits',
    'elasticFileSystemId',
    'ephemeralImageStorage',
    'featureGates',
    'gpu',
    'iam',
    'instanceTags',
    'keyName',
    'kube2IamSupport',
    'kubeletOpts',
    'kubernetesVersion',
    'loadBalancer',
    'managedIamRoleName',
    'nodeDrainer',
    'nodeStatusUpdateFrequency',
    'privateSubnets',
    'raid0Mounts',
    'releaseChannel',
    'securityGroupIds',
    'spotFleet',
    'sshAuthorizedKeys',
    'stackTags',
    'targetGroup',
    'tenancy',
    'userData',
    'volumeMounts',
    'waitSignal',
  ],
};

const lookup = new Map(Object.entries(KUBE_AWS_FEATURES).map(([where, keys]) => [where, new Set(keys)]));

/** `worker.nodePools[2].taints[0]` -> `worker.nodePools.taints` (array indexes dropped). */
function location(path: readonly (string | number)[]): string {
  return path.filter((segment) => typeof segment === 'string').join('.');
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** The closest allowed key, if it is close enough to be a likely typo. */
function suggestion(key: string, allowed: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(key, candidate);
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 4)) ? best.key : undefined;
}

/**
 * The message for an unknown key found in the mapping at `parentPath`.
 * @param allowed the keys that mapping may hold, for a "did you mean" hint
 */
export function unknownKeyMessage(
  key: string,
  parentPath: readonly (string | number)[],
  allowed?: string[],
): string {
  if (lookup.get(location(parentPath))?.has(key)) {
    return `unknown key "${key}": a kube-aws feature kaws does not support; remove it`;
  }
  const hint = allowed && key.length <= 100 ? suggestion(key, allowed) : undefined;
  return hint ? `unknown key "${key}" (did you mean "${hint}"?)` : `unknown key "${key}"`;
}
