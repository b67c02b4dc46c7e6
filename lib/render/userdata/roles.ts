/**
 * The full Ignition config of each node role (etcd, controller, and one per node pool), and the
 * small bootstrap userdata that points at it. The config carries no secret: it names the role's KMS
 * envelope in S3 and the SHA-256 of every asset in it, so a changed certificate changes the config,
 * its hash, the bootstrap, the launch template, and CloudFormation rolls the group.
 */
import { createHash } from 'node:crypto';
import type { NodePoolSpec } from '../../spec/types.ts';
import { RenderError } from '../errors.ts';
import { artifactKey, type RenderInput, roleAssets } from '../input.ts';
import { etcdMemberDnsName, type NodeRole, nodeLabelKeys, s3Keys, stackNames } from '../naming.ts';
import {
  bootstrapConfig,
  IGNITION_VERSION,
  type IgnitionConfig,
  type IgnitionFile,
  type IgnitionUnit,
  inlineFile,
  MODE_EXECUTABLE,
  remoteFile,
  serializeIgnition,
} from './ignition.ts';
import { fillTemplate, templateText } from './templates.ts';

/** Images the node units run, pinned: the same config always runs the same software. */
export const NODE_IMAGES = {
  awsCli: 'public.ecr.aws/aws-cli/aws-cli:2.22.35',
  node: 'public.ecr.aws/docker/library/node:22.12.0-alpine',
  etcd: (version: string) => `gcr.io/etcd-development/etcd:v${version.replace(/^v/, '')}`,
} as const;

/** Flatcar's Kubernetes system extension (kubelet, kubectl) from the Flatcar extensions site. */
const kubernetesSysextUrl = (version: string, arch: 'arm64' | 'x86_64') =>
  `https://extensions.flatcar.org/extensions/kubernetes-${version}-${arch === 'arm64' ? 'arm64' : 'x86-64'}.raw`;

/** The node gives up and signals FAILURE a minute before CloudFormation's PT15M signal timeout. */
const HEALTH_TIMEOUT_SECONDS = 14 * 60;

export interface NodeConfig {
  /** `etcd`, `controller`, `worker-<pool>`: the file name under userdata/ and in the S3 key. */
  name: string;
  role: NodeRole;
  /** The full Ignition config (JSON text), uploaded to S3. */
  text: string;
  /** Its S3 key in the artifact bucket. */
  s3Key: string;
  /** The instance userdata: an Ignition config that replaces itself with the full one. */
  bootstrap: string;
}

/** Characters an env file value may hold so systemd, docker --env-file and `sh .` all read it alike. */
export const SAFE_ENV_VALUE = /^[A-Za-z0-9._:/=,@+-]*$/;

function envFile(values: Record<string, string>): string {
  return Object.keys(values)
    .sort()
    .map((key) => {
      const value = values[key] as string;
      // Spec values are checked by checkRenderLimits first; reaching this is a kaws bug.
      if (!SAFE_ENV_VALUE.test(value))
        throw new Error(`env value of ${key} is not safe: ${JSON.stringify(value)}`);
      return `${key}=${value}\n`;
    })
    .join('');
}

const kubernetesVersionTag = (version: string) => (version.startsWith('v') ? version : `v${version}`);

/** `key=value` node labels, sorted by key, as kubelet's --node-labels takes them. */
export const nodeLabelsFlag = (labels: Record<string, string>) =>
  Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(',');

/** `key=value:Effect` taints, as kubelet's --register-with-taints takes them. */
export const taintsFlag = (taints: NodePoolSpec['taints']) =>
  taints.map((t) => `${t.key}=${t.value}:${t.effect}`).join(',');

interface RoleParts {
  name: string;
  role: NodeRole;
  stackName: string;
  /** templates/userdata/<dir>/kaws-health is the role's health check. */
  healthCheck: string;
  env: Record<string, string>;
  files: IgnitionFile[];
  links?: NonNullable<IgnitionConfig['storage']>['links'];
  units: IgnitionUnit[];
}

const unit = (path: string): IgnitionUnit => ({
  name: path.slice(path.lastIndexOf('/') + 1),
  enabled: true,
  contents: templateText(path),
});

/** The SHA-256 list `sha256sum --check` reads at boot: `<fingerprint>  /etc/kaws/tls/<asset>`. */
function assetChecksums(input: RenderInput, role: NodeRole): string {
  const missing = roleAssets[role].filter((name) => !input.assets[name]);
  if (missing.length > 0) {
    throw new RenderError(
      missing.map((name) => ({
        path: `credentials/${name}`,
        code: 'missing_asset',
        message: `the ${role} nodes need TLS asset ${name}, which was not rendered (run kaws render credentials)`,
      })),
    );
  }
  return [...roleAssets[role]]
    .sort()
    .map((name) => `${input.assets[name]?.fingerprint}  /etc/kaws/tls/${name}\n`)
    .join('');
}

function assemble(input: RenderInput, parts: RoleParts): NodeConfig {
  const { spec, artifacts } = input;
  const env = {
    KAWS_ASSETS_BUCKET: artifacts.bucket,
    KAWS_AWS_CLI_IMAGE: NODE_IMAGES.awsCli,
    KAWS_CLUSTER_NAME: spec.clusterName,
    KAWS_ENVELOPE_KEY: artifactKey(artifacts, s3Keys.roleEnvelope(spec.clusterName, parts.role)),
    KAWS_HEALTH_TIMEOUT_SECONDS: String(HEALTH_TIMEOUT_SECONDS),
    KAWS_KMS_KEY_ARN: input.kmsKeyArn ?? spec.kmsKeyArn,
    KAWS_NODE_IMAGE: NODE_IMAGES.node,
    KAWS_REGION: spec.region,
    KAWS_ROLE: parts.role,
    KAWS_STACK_NAME: parts.stackName,
    ...parts.env,
  };
  const files = [
    inlineFile('/etc/kaws/cluster.env', envFile(env)),
    inlineFile('/etc/kaws/assets.sha256', assetChecksums(input, parts.role)),
    inlineFile('/opt/kaws/lib/kaws-envelope.mjs', templateText('common/kaws-envelope.mjs')),
    ...['kaws-aws', 'kaws-fetch-assets', 'kaws-imds', 'kaws-signal'].map((script) =>
      inlineFile(`/opt/kaws/bin/${script}`, templateText(`common/${script}`), MODE_EXECUTABLE),
    ),
    inlineFile(
      '/opt/kaws/bin/kaws-health',
      templateText(`${parts.healthCheck}/kaws-health`),
      MODE_EXECUTABLE,
    ),
    ...parts.files,
  ].sort((a, b) => a.path.localeCompare(b.path));
  const units = [unit('common/kaws-assets.service'), unit('common/kaws-signal.service'), ...parts.units].sort(
    (a, b) => a.name.localeCompare(b.name),
  );
  const config: IgnitionConfig = {
    ignition: { version: IGNITION_VERSION },
    ...(spec.sshAuthorizedKeys.length > 0
      ? { passwd: { users: [{ name: 'core', sshAuthorizedKeys: [...spec.sshAuthorizedKeys] }] } }
      : {}),
    storage: { files, ...(parts.links ? { links: parts.links } : {}) },
    systemd: { units },
  };
  const text = serializeIgnition(config);
  const fingerprint = createHash('sha256').update(text, 'utf8').digest('hex');
  const s3Key = artifactKey(artifacts, s3Keys.userdata(spec.clusterName, parts.name, fingerprint));
  return {
    name: parts.name,
    role: parts.role,
    text,
    s3Key,
    bootstrap: bootstrapConfig(`s3://${artifacts.bucket}/${s3Key}`, text),
  };
}

export function etcdConfig(input: RenderInput): NodeConfig {
  const { spec } = input;
  const members = Array.from({ length: spec.etcd.count }, (_, i) => etcdMemberDnsName(spec.clusterName, i));
  const tls = '/etc/kaws/tls';
  // etcd reads every flag from ETCD_* variables; the member's own name and URLs come at boot
  // (kaws-etcd-member), once it knows which member it is.
  const etcdEnv = {
    ETCD_CERT_FILE: `${tls}/etcd.pem`,
    ETCD_CLIENT_CERT_AUTH: 'true',
    ETCD_DATA_DIR: '/var/lib/etcd/data',
    ETCD_INITIAL_CLUSTER: members.map((name) => `${name}=https://${name}:2380`).join(','),
    ETCD_INITIAL_CLUSTER_STATE: 'new',
    ETCD_INITIAL_CLUSTER_TOKEN: spec.clusterName,
    ETCD_KEY_FILE: `${tls}/etcd-key.pem`,
    ETCD_LISTEN_CLIENT_URLS: 'https://0.0.0.0:2379',
    ETCD_LISTEN_PEER_URLS: 'https://0.0.0.0:2380',
    ETCD_PEER_CERT_FILE: `${tls}/etcd.pem`,
    ETCD_PEER_CLIENT_CERT_AUTH: 'true',
    ETCD_PEER_KEY_FILE: `${tls}/etcd-key.pem`,
    ETCD_PEER_TRUSTED_CA_FILE: `${tls}/ca.pem`,
    ETCD_TRUSTED_CA_FILE: `${tls}/ca.pem`,
  };
  return assemble(input, {
    name: 'etcd',
    role: 'etcd',
    stackName: stackNames.etcd(spec.clusterName),
    healthCheck: 'etcd',
    env: {
      KAWS_ETCD_IMAGE: NODE_IMAGES.etcd(spec.etcd.version),
      ...Object.fromEntries(members.map((name, i) => [`KAWS_ETCD_MEMBER_${i}`, name])),
    },
    files: [
      inlineFile('/etc/kaws/etcd.env', envFile(etcdEnv)),
      inlineFile('/opt/kaws/bin/kaws-etcd-member', templateText('etcd/kaws-etcd-member'), MODE_EXECUTABLE),
    ],
    units: [unit('etcd/kaws-etcd-member.service'), unit('etcd/etcd-member.service')],
  });
}

interface KubeletRole {
  name: string;
  role: 'controller' | 'worker';
  stackName: string;
  arch: 'arm64' | 'x86_64';
  apiServer: string;
  labels: Record<string, string>;
  taints: NodePoolSpec['taints'];
  extraFiles: IgnitionFile[];
}

function kubeletConfig(input: RenderInput, k: KubeletRole): NodeConfig {
  const { spec } = input;
  const version = kubernetesVersionTag(spec.kubernetesVersion);
  const sysext = `/opt/extensions/kubernetes/kubernetes-${version}.raw`;
  const kubeconfig = (user: string, server: string) =>
    fillTemplate('kubelet/kubeconfig.yaml', { clusterName: spec.clusterName, server, user });
  return assemble(input, {
    name: k.name,
    role: k.role,
    stackName: k.stackName,
    healthCheck: k.role === 'controller' ? 'controller' : 'kubelet',
    env: {
      KUBELET_NODE_LABELS: nodeLabelsFlag(k.labels),
      KUBELET_REGISTER_WITH_TAINTS: taintsFlag(k.taints),
    },
    files: [
      inlineFile(
        '/etc/kubernetes/kubelet-config.yaml',
        fillTemplate('kubelet/kubelet-config.yaml', { dnsServiceIP: spec.dnsServiceIP }),
      ),
      inlineFile('/etc/kubernetes/kubelet.kubeconfig', kubeconfig('worker', k.apiServer)),
      remoteFile(sysext, kubernetesSysextUrl(version, k.arch)),
      ...k.extraFiles,
    ],
    links: [{ path: '/etc/extensions/kubernetes.raw', target: sysext, hard: false, overwrite: true }],
    units: [unit('kubelet/kubelet.service'), { name: 'containerd.service', enabled: true }],
  });
}

/** The control plane runs as static pods of the controllers' kubelet, which talks to its local API server. */
export function controllerConfig(input: RenderInput, arch: 'arm64' | 'x86_64'): NodeConfig {
  const { spec } = input;
  const version = kubernetesVersionTag(spec.kubernetesVersion);
  const local = 'https://127.0.0.1:443';
  const values = {
    apiDnsName: spec.apiEndpoints[0]?.dnsName ?? '',
    clusterName: spec.clusterName,
    etcdServers: Array.from(
      { length: spec.etcd.count },
      (_, i) => `https://${etcdMemberDnsName(spec.clusterName, i)}:2379`,
    ).join(','),
    kubernetesVersion: version,
    podCIDR: spec.podCIDR,
    serviceCIDR: spec.serviceCIDR,
  };
  const manifest = (component: string) =>
    inlineFile(
      `/etc/kubernetes/manifests/${component}.yaml`,
      fillTemplate(`controller/${component}.yaml`, values),
    );
  const kubeconfig = (user: string) =>
    inlineFile(
      `/etc/kubernetes/${user}.kubeconfig`,
      fillTemplate('kubelet/kubeconfig.yaml', { clusterName: spec.clusterName, server: local, user }),
    );
  return kubeletConfig(input, {
    name: 'controller',
    role: 'controller',
    stackName: stackNames.controlPlane(spec.clusterName),
    arch,
    apiServer: local,
    labels: {},
    taints: [{ key: 'node-role.kubernetes.io/control-plane', value: '', effect: 'NoSchedule' }],
    extraFiles: [
      manifest('kube-apiserver'),
      manifest('kube-controller-manager'),
      manifest('kube-scheduler'),
      kubeconfig('kube-controller-manager'),
      kubeconfig('kube-scheduler'),
    ],
  });
}

/** A pool's workers reach the API through the first API endpoint's DNS name. */
export function workerConfig(input: RenderInput, pool: NodePoolSpec, arch: 'arm64' | 'x86_64'): NodeConfig {
  const { spec } = input;
  return kubeletConfig(input, {
    name: `worker-${pool.name}`,
    role: 'worker',
    stackName: stackNames.nodePool(spec.clusterName, pool.name),
    arch,
    apiServer: `https://${spec.apiEndpoints[0]?.dnsName ?? ''}`,
    // The pool label is what the health gate counts Ready nodes by; kaws's own labels win over the spec's.
    labels: { ...pool.nodeLabels, [nodeLabelKeys.nodePool]: pool.name, [nodeLabelKeys.role]: 'worker' },
    taints: pool.taints,
    extraFiles: [],
  });
}
