/**
 * The parts every node stack (etcd, control plane, node pool) shares: imports from the network
 * stack, the node IAM role, the launch template, and the Auto Scaling policies that make
 * CloudFormation roll a group one instance at a time, waiting for each node's health signal.
 */
import type { ClusterSpec, Volume } from '../../spec/types.ts';
import {
  base64,
  getAtt,
  importValue,
  type Json,
  type Parameter,
  type Resource,
  ref,
  sub,
  tagList,
} from '../cfn.ts';
import { artifactKey, type RenderInput } from '../input.ts';
import { logicalName, nodeIds } from '../logical-ids.ts';
import { exportNames, type NodeRole, s3Keys, tagKeys } from '../naming.ts';

/** The processes kube-aws suspended during a rolling update, so AWS does not fight the roll. */
export const ROLLING_UPDATE_SUSPENDED_PROCESSES = [
  'HealthCheck',
  'ReplaceUnhealthy',
  'AZRebalance',
  'AlarmNotification',
  'ScheduledActions',
];

/** How long CloudFormation waits for one node's signal (boot + image pulls + health). */
export const SIGNAL_TIMEOUT = 'PT15M';

/** Flatcar's root device name on every AWS AMI it publishes. */
const FLATCAR_ROOT_DEVICE = '/dev/xvda';

export const importSubnetIds = (spec: ClusterSpec, subnetNames: string[]): Json[] =>
  subnetNames.map((name) => importValue(exportNames.subnetId(spec.clusterName, logicalName(name))));

export const importSecurityGroupId = (spec: ClusterSpec, group: string): Json =>
  importValue(exportNames.securityGroupId(spec.clusterName, group));

export const importVpcId = (spec: ClusterSpec): Json => importValue(exportNames.vpcId(spec.clusterName));

/**
 * CPU architecture of an instance type: AWS Graviton families carry a `g` right after the generation
 * digit (m6g, c7gn, t4g, r8gd); everything else kaws runs is x86_64.
 */
export function instanceArchitecture(instanceType: string): 'arm64' | 'x86_64' {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? 'arm64' : 'x86_64';
}

/** The AMI parameter: the spec's amiId as default, else the deployer resolves Flatcar's AMI for the channel. */
export function imageIdParameter(spec: ClusterSpec, instanceType: string): Parameter {
  return {
    Type: 'AWS::EC2::Image::Id',
    Description: `Flatcar Container Linux (${spec.releaseChannel}) AMI, ${instanceArchitecture(instanceType)}`,
    ...(spec.amiId ? { Default: spec.amiId } : {}),
  };
}

/** Tags kaws puts on a role's instances and volumes (besides the stack tags CloudFormation adds). */
export function nodeTags(spec: ClusterSpec, role: NodeRole, extra: Record<string, string> = {}) {
  return {
    Name: `${spec.clusterName}-${role}`,
    [tagKeys.cluster]: spec.clusterName,
    [tagKeys.role]: role,
    [tagKeys.kubernetesCluster(spec.clusterName)]: 'owned',
    ...extra,
  };
}

const statement = (sid: string, action: string[], resource: Json, condition?: Json): Json => ({
  Sid: sid,
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...(condition ? { Condition: condition } : {}),
});

/**
 * The node role: read its own full config and its role's TLS envelope (nothing else in the bucket),
 * decrypt with the cluster's key only under the cluster's encryption context, and signal its own
 * stack; plus what the role itself needs (`extra`).
 */
export function nodeIamResources(
  input: RenderInput,
  node: { roleId: string; role: NodeRole; configName: string },
  extra: Json[],
): Record<string, Resource> {
  const { spec, artifacts } = input;
  const { roleId } = node;
  const objectArn = (key: string) =>
    sub(`arn:\${AWS::Partition}:s3:::${artifacts.bucket}/${artifactKey(artifacts, key)}`);
  const statements: Json[] = [
    statement(
      'ReadOwnConfigAndAssets',
      ['s3:GetObject'],
      [
        objectArn(s3Keys.userdata(spec.clusterName, node.configName, '*')),
        objectArn(s3Keys.roleEnvelope(spec.clusterName, node.role)),
      ],
    ),
    statement('DecryptClusterAssets', ['kms:Decrypt'], input.kmsKeyArn ?? spec.kmsKeyArn, {
      StringEquals: { 'kms:EncryptionContext:cluster': spec.clusterName },
    }),
    ...(artifacts.sseKmsKeyArn
      ? [
          statement('ReadEncryptedArtifactBucket', ['kms:Decrypt'], artifacts.sseKmsKeyArn, {
            StringEquals: { 'kms:ViaService': sub(`s3.\${AWS::Region}.amazonaws.com`) },
          }),
        ]
      : []),
    statement('SignalOwnStack', ['cloudformation:SignalResource'], ref('AWS::StackId')),
    ...extra,
  ];
  return {
    [nodeIds.role(roleId)]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: sub(`ec2.\${AWS::URLSuffix}`) },
              Action: ['sts:AssumeRole'],
            },
          ],
        },
        // Names are CloudFormation's (`<stack>-<logical id>-<suffix>`, kept within IAM's 64
        // characters): no CAPABILITY_NAMED_IAM, and a replaced role never collides with the old one.
        Policies: [
          {
            PolicyName: `${roleId.toLowerCase()}-node`,
            PolicyDocument: { Version: '2012-10-17', Statement: statements },
          },
        ],
        Tags: tagList({ [tagKeys.cluster]: spec.clusterName }),
      },
    },
    [nodeIds.instanceProfile(roleId)]: {
      Type: 'AWS::IAM::InstanceProfile',
      Properties: { Roles: [ref(nodeIds.role(roleId))] },
    },
  };
}

export { statement as iamStatement };

export interface LaunchTemplateOptions {
  roleId: string;
  role: NodeRole;
  instanceType: string;
  rootVolume: Volume;
  securityGroupIds: Json[];
  /** The Ignition bootstrap (JSON text): the instance's userdata. */
  userdata: string;
  spotPrice?: string;
  extraTags?: Record<string, string>;
}

export function launchTemplateResource(spec: ClusterSpec, options: LaunchTemplateOptions): Resource {
  const tags = tagList(nodeTags(spec, options.role, options.extraTags));
  const rootEbs: Record<string, Json> = {
    DeleteOnTermination: true,
    Encrypted: true,
    VolumeSize: options.rootVolume.size,
    VolumeType: options.rootVolume.type,
    ...(options.rootVolume.iops !== undefined ? { Iops: options.rootVolume.iops } : {}),
  };
  return {
    Type: 'AWS::EC2::LaunchTemplate',
    Properties: {
      LaunchTemplateData: {
        ImageId: ref(nodeIds.imageIdParameter),
        InstanceType: options.instanceType,
        IamInstanceProfile: { Arn: getAtt(nodeIds.instanceProfile(options.roleId), 'Arn') },
        SecurityGroupIds: options.securityGroupIds,
        ...(spec.keyName ? { KeyName: spec.keyName } : {}),
        UserData: base64(options.userdata),
        BlockDeviceMappings: [{ DeviceName: FLATCAR_ROOT_DEVICE, Ebs: rootEbs }],
        // IMDSv2 only; one hop keeps pods on the pod network away from the node's credentials
        // (host-network containers, which kaws's own units use, are one hop away). Tags in
        // metadata let an etcd member read its index without an API call.
        MetadataOptions: {
          HttpEndpoint: 'enabled',
          HttpPutResponseHopLimit: 1,
          HttpTokens: 'required',
          InstanceMetadataTags: 'enabled',
        },
        ...(options.spotPrice
          ? {
              InstanceMarketOptions: {
                MarketType: 'spot',
                SpotOptions: { MaxPrice: options.spotPrice, SpotInstanceType: 'one-time' },
              },
            }
          : {}),
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
        ],
      },
    },
  };
}

/** The Auto Scaling group's launch template reference: always its latest version, so an update rolls. */
export const launchTemplateReference = (roleId: string): Json => ({
  LaunchTemplateId: ref(nodeIds.launchTemplate(roleId)),
  Version: getAtt(nodeIds.launchTemplate(roleId), 'LatestVersionNumber'),
});

/** UpdatePolicy + CreationPolicy of a node group: one instance at a time, each must signal health. */
export function rollingPolicies(
  desired: number,
  minInstancesInService: number,
): Pick<Resource, 'CreationPolicy' | 'UpdatePolicy'> {
  return {
    // A group created empty (a pool scaled to zero) has nobody to signal.
    ...(desired > 0
      ? {
          CreationPolicy: {
            AutoScalingCreationPolicy: { MinSuccessfulInstancesPercent: 100 },
            ResourceSignal: { Count: desired, Timeout: SIGNAL_TIMEOUT },
          },
        }
      : {}),
    UpdatePolicy: {
      AutoScalingRollingUpdate: {
        MaxBatchSize: 1,
        MinInstancesInService: minInstancesInService,
        PauseTime: SIGNAL_TIMEOUT,
        SuspendProcesses: ROLLING_UPDATE_SUSPENDED_PROCESSES,
        WaitOnResourceSignals: true,
      },
    },
  };
}
