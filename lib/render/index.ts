/**
 * Public API of lib/render: a normalized spec plus the fingerprints of its stored TLS assets in, the
 * CloudFormation stacks (in deployment order) and node configs out. Pure: no AWS, no clock, no
 * randomness; the same input renders byte-identical output.
 */
import { createHash } from 'node:crypto';
import type { ClusterSpec, SpecIssue } from '../spec/types.ts';
import { serializeTemplate, type Template } from './cfn.ts';
import { RenderError } from './errors.ts';
import { allAssetNames, artifactKey, artifactLocationFor, type RenderInput } from './input.ts';
import { specProblems, TEMPLATE_BODY_MAX_BYTES, type TemplateFigures, templateProblems } from './limits.ts';
import { type StackKind, s3Keys, stackNames, tagKeys } from './naming.ts';
import { controlPlaneTemplate } from './stacks/control-plane.ts';
import { etcdTemplate } from './stacks/etcd.ts';
import { networkTemplate } from './stacks/network.ts';
import { nodePoolTemplate } from './stacks/node-pool.ts';
import { instanceArchitecture } from './stacks/shared.ts';
import { controllerConfig, etcdConfig, type NodeConfig, workerConfig } from './userdata/roles.ts';

export { RenderError } from './errors.ts';
export {
  type ArtifactLocation,
  type AssetFingerprint,
  artifactLocationFor,
  parseS3Uri,
  type RenderInput,
  roleAssets,
} from './input.ts';
export { TEMPLATE_BODY_MAX_BYTES, TEMPLATE_URL_MAX_BYTES } from './limits.ts';
export type { NodeConfig } from './userdata/roles.ts';

export interface RenderedStack {
  kind: StackKind;
  name: string;
  /** The node pool's name, for a node pool stack. */
  nodePool?: string;
  /** Where in the spec this stack comes from: the path its problems are reported at. */
  specPath: string;
  /** The template as uploaded: canonical JSON. */
  template: string;
  bytes: number;
  resourceCount: number;
  /** SHA-256 (hex) of the template. */
  fingerprint: string;
  /**
   * How CloudFormation gets the template: inline (TemplateBody) up to 51,200 bytes, else from the
   * artifact bucket (TemplateURL), uploaded with the other `uploads`.
   */
  templateLocation: { kind: 'body' } | { kind: 's3'; bucket: string; key: string };
  /** Parameters the deployer passes; an ImageId without default is Flatcar's AMI for the architecture. */
  parameters: Record<string, { default?: string; architecture?: 'arm64' | 'x86_64' }>;
  /** Stack tags: the spec's stackTags and the cluster tag (CloudFormation copies them onto resources). */
  tags: Record<string, string>;
  /** Stack names that must exist first (their exports are imported). */
  dependsOn: string[];
}

export interface RenderedCluster {
  /** In deployment order: network, etcd, control plane, then each node pool (spec order). Delete in reverse. */
  stacks: RenderedStack[];
  /** One per role: etcd, controller, worker-<pool>. */
  nodeConfigs: NodeConfig[];
  /** Objects to put in the artifact bucket before any stack is created or updated. */
  uploads: Array<{ key: string; body: string; contentType: string }>;
}

function countOf(record: object | undefined): number {
  return record ? Object.keys(record).length : 0;
}

interface StackPlan {
  kind: StackKind;
  name: string;
  specPath: string;
  template: Template;
  /** The node config whose bootstrap is this stack's userdata. */
  userdata?: NodeConfig;
  /** The instance type the stack's AMI must fit. */
  instanceType?: string;
  dependsOn: string[];
  nodePool?: string;
}

function renderStack(
  input: RenderInput,
  plan: StackPlan,
): { stack: RenderedStack; figures: TemplateFigures } {
  const { kind, name, specPath, template, userdata, dependsOn, nodePool } = plan;
  const text = serializeTemplate(template);
  const bytes = Buffer.byteLength(text, 'utf8');
  const fingerprint = createHash('sha256').update(text, 'utf8').digest('hex');
  const key = artifactKey(input.artifacts, s3Keys.stackTemplate(input.spec.clusterName, name, fingerprint));
  const parameters: RenderedStack['parameters'] = {};
  for (const [parameterName, parameter] of Object.entries(template.Parameters ?? {})) {
    parameters[parameterName] = {
      ...(parameter.Default !== undefined ? { default: parameter.Default } : {}),
      ...(parameter.Type === 'AWS::EC2::Image::Id' && plan.instanceType
        ? { architecture: instanceArchitecture(plan.instanceType) }
        : {}),
    };
  }
  const stack: RenderedStack = {
    kind,
    name,
    ...(nodePool !== undefined ? { nodePool } : {}),
    specPath,
    template: text,
    bytes,
    resourceCount: countOf(template.Resources),
    fingerprint,
    templateLocation:
      bytes > TEMPLATE_BODY_MAX_BYTES
        ? { kind: 's3', bucket: input.artifacts.bucket, key }
        : { kind: 'body' },
    parameters,
    tags: { ...input.spec.stackTags, [tagKeys.cluster]: input.spec.clusterName },
    dependsOn,
  };
  return {
    stack,
    figures: {
      stackName: name,
      specPath,
      bytes,
      resources: stack.resourceCount,
      outputs: countOf(template.Outputs),
      userdataBytes: userdata ? [Buffer.byteLength(userdata.bootstrap, 'utf8')] : [],
    },
  };
}

/**
 * Renders every stack of a cluster and every node config. Throws RenderError naming every problem
 * (spec paths) when a stack would break an AWS limit or an asset is missing.
 */
export function renderCluster(input: RenderInput): RenderedCluster {
  const { spec } = input;
  const early = specProblems(spec);
  if (early.length > 0) throw new RenderError(early);
  const cluster = spec.clusterName;
  const network = stackNames.network(cluster);
  const etcd = stackNames.etcd(cluster);
  const controlPlane = stackNames.controlPlane(cluster);

  const etcdUserdata = etcdConfig(input);
  const controllerUserdata = controllerConfig(input, instanceArchitecture(spec.controller.instanceType));
  const poolUserdata = spec.worker.nodePools.map((pool) =>
    workerConfig(input, pool, instanceArchitecture(pool.instanceType)),
  );

  const rendered = [
    renderStack(input, {
      kind: 'network',
      name: network,
      specPath: 'subnets',
      template: networkTemplate(spec),
      dependsOn: [],
    }),
    renderStack(input, {
      kind: 'etcd',
      name: etcd,
      specPath: 'etcd.count',
      template: etcdTemplate(input, etcdUserdata),
      userdata: etcdUserdata,
      instanceType: spec.etcd.instanceType,
      dependsOn: [network],
    }),
    renderStack(input, {
      kind: 'control-plane',
      name: controlPlane,
      specPath: 'apiEndpoints',
      template: controlPlaneTemplate(input, controllerUserdata),
      userdata: controllerUserdata,
      instanceType: spec.controller.instanceType,
      // Controllers start once etcd exists: their API servers need it to become healthy.
      dependsOn: [network, etcd],
    }),
    ...spec.worker.nodePools.map((pool, i) => {
      const userdata = poolUserdata[i] as NodeConfig;
      return renderStack(input, {
        kind: 'nodepool',
        name: stackNames.nodePool(cluster, pool.name),
        specPath: `worker.nodePools[${i}]`,
        template: nodePoolTemplate(input, pool, userdata),
        userdata,
        instanceType: pool.instanceType,
        // Workers signal when their kubelet is healthy, which needs the API.
        dependsOn: [network, controlPlane],
        nodePool: pool.name,
      });
    }),
  ];
  const problems: SpecIssue[] = rendered.flatMap((r) => templateProblems(r.figures));
  if (problems.length > 0) throw new RenderError(problems);

  const stacks = rendered.map((r) => r.stack);
  const nodeConfigs = [etcdUserdata, controllerUserdata, ...poolUserdata];
  return {
    stacks,
    nodeConfigs,
    uploads: [
      ...nodeConfigs.map((c) => ({ key: c.s3Key, body: c.text, contentType: 'application/json' })),
      ...stacks.flatMap((s) =>
        s.templateLocation.kind === 's3'
          ? [{ key: s.templateLocation.key, body: s.template, contentType: 'application/json' }]
          : [],
      ),
    ],
  };
}

/** The longest S3 bucket name: sizes measured with it are an upper bound for any real bucket. */
const PLACEHOLDER_BUCKET = 'x'.repeat(63);
const PLACEHOLDER_FINGERPRINT = '0'.repeat(64);

/**
 * The render problems of a spec (AWS limits, names, routing), for `kaws validate`: renders the
 * stacks with placeholder asset fingerprints (the same length as real ones) and the longest bucket
 * name, so no key is generated and the sizes are upper bounds. Returns [] when the spec renders.
 */
export function checkRenderLimits(spec: ClusterSpec): SpecIssue[] {
  try {
    renderCluster({
      spec,
      assets: Object.fromEntries(
        allAssetNames().map((name) => [name, { fingerprint: PLACEHOLDER_FINGERPRINT }]),
      ),
      artifacts: artifactLocationFor(spec, PLACEHOLDER_BUCKET, spec.kmsKeyArn) ?? {
        bucket: PLACEHOLDER_BUCKET,
        rootPrefix: '',
      },
    });
    return [];
  } catch (error) {
    if (error instanceof RenderError) return error.issues;
    throw error;
  }
}
