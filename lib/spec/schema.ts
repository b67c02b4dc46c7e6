/**
 * The shape of a cluster spec in canonical nested form (after legacy keys are folded in), as zod
 * schemas. Shape only: types, enums, identifier formats, numeric ranges. Every field is optional
 * here; required fields, defaults and cross-field rules live in required.ts, defaults.ts and rules/.
 */
import * as z from 'zod';
import { patterns } from './formats.ts';

/** A string in a given format; the issue carries a specific code (`invalid_vpc_id`, ...). */
const formatted = (pattern: RegExp, code: string, what: string) =>
  z.string().refine((value) => pattern.test(value), {
    params: { code },
    error: (issue) => `${JSON.stringify(issue.input)} is not ${what}`,
  });

export const VOLUME_TYPES = ['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'standard'] as const;
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

const cidr = formatted(patterns.ipv4Cidr, 'invalid_cidr', 'an IPv4 CIDR block (like 10.0.0.0/16)');
const count = z.int().min(0).max(10_000);
const instanceType = formatted(
  patterns.instanceType,
  'invalid_instance_type',
  'an EC2 instance type (like m5.large)',
);
/** Scalars that go-yaml would have read into a Go string (kube-aws's map[string]string). */
const stringish = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const subnetReferences = z.array(z.string().min(1));

const volume = z.strictObject({
  size: z.int().min(1).max(65_536).optional(),
  type: z.enum(VOLUME_TYPES).optional(),
  iops: z.int().min(1).optional(),
});

const dataVolume = z.strictObject({
  size: z.int().min(1).max(65_536).optional(),
  type: z.enum(VOLUME_TYPES).optional(),
  iops: z.int().min(1).optional(),
  encrypted: z.boolean().optional(),
});

const autoScalingGroup = z.strictObject({
  minSize: count.optional(),
  maxSize: count.optional(),
  rollingUpdateMinInstancesInService: count.optional(),
});

const subnet = z.strictObject({
  name: formatted(
    patterns.subnetName,
    'invalid_subnet_name',
    'a valid subnet name (letters, digits, "-" and "_", at most 64 characters)',
  ).optional(),
  availabilityZone: formatted(
    patterns.availabilityZone,
    'invalid_availability_zone',
    'an availability zone (like us-east-1a)',
  ).optional(),
  instanceCIDR: cidr.optional(),
  id: formatted(
    patterns.subnetId,
    'invalid_subnet_id',
    'a subnet id (subnet- and 8 or 17 hex digits)',
  ).optional(),
  private: z.boolean().optional(),
});

const loadBalancer = z.strictObject({
  type: z.enum(['classic', 'network']).optional(),
  private: z.boolean().optional(),
  subnets: subnetReferences.optional(),
  hostedZone: z
    .strictObject({
      id: formatted(
        patterns.hostedZoneId,
        'invalid_hosted_zone_id',
        'a Route 53 hosted zone id (upper-case letters and digits, like Z0123456789ABC)',
      ).optional(),
      name: formatted(
        patterns.hostedZoneName,
        'invalid_hosted_zone_name',
        'a DNS zone name (like example.com)',
      ).optional(),
    })
    .optional(),
  recordSetTTL: z.int().min(1).max(2_147_483_647).optional(),
  recordSetManaged: z.boolean().optional(),
  apiAccessAllowedSourceCIDRs: z.array(cidr).min(1).optional(),
});

const apiEndpoint = z.strictObject({
  name: formatted(
    patterns.dns1123Label,
    'invalid_endpoint_name',
    'a DNS-1123 label (lower-case letters, digits, "-")',
  ).optional(),
  dnsName: formatted(
    patterns.dnsName,
    'invalid_dns_name',
    'a fully qualified DNS name (like api.example.com)',
  ).optional(),
  loadBalancer: loadBalancer.optional(),
});

const controller = z.strictObject({
  count: count.optional(),
  instanceType: instanceType.optional(),
  rootVolume: volume.optional(),
  autoScalingGroup: autoScalingGroup.optional(),
  subnets: subnetReferences.optional(),
});

const etcd = z.strictObject({
  count: count.optional(),
  instanceType: instanceType.optional(),
  rootVolume: volume.optional(),
  dataVolume: dataVolume.optional(),
  version: z
    .union([z.string(), z.number()])
    .transform(String)
    .refine((value) => patterns.etcdVersion.test(value), {
      params: { code: 'invalid_etcd_version' },
      error: (issue) => `${JSON.stringify(issue.input)} is not an etcd version (like 3.5.16)`,
    })
    .optional(),
  subnets: subnetReferences.optional(),
});

const taint = z.strictObject({
  key: z.string().optional(),
  value: stringish.optional(),
  effect: z.enum(TAINT_EFFECTS).optional(),
});

const nodePool = z.strictObject({
  name: z.string().optional(),
  count: count.optional(),
  instanceType: instanceType.optional(),
  rootVolume: volume.optional(),
  spotPrice: z
    .union([z.string(), z.number()])
    .transform(String)
    .refine((value) => patterns.spotPrice.test(value) && Number(value) > 0, {
      params: { code: 'invalid_spot_price' },
      error: (issue) => `${JSON.stringify(issue.input)} is not a spot price in USD per hour (like "0.10")`,
    })
    .optional(),
  autoScalingGroup: autoScalingGroup.optional(),
  subnets: subnetReferences.optional(),
  nodeLabels: z.record(z.string(), stringish).optional(),
  taints: z.array(taint).optional(),
});

export const clusterSpecSchema = z.strictObject({
  clusterName: formatted(
    patterns.clusterName,
    'invalid_cluster_name',
    'a valid cluster name (a letter, then letters, digits and "-")',
  ).optional(),
  region: formatted(patterns.region, 'invalid_region', 'an AWS region (like us-east-1)').optional(),
  keyName: formatted(
    patterns.keyName,
    'invalid_key_name',
    'an EC2 key pair name (printable ASCII, 1-255 characters)',
  ).optional(),
  sshAuthorizedKeys: z
    .array(
      formatted(
        patterns.sshPublicKey,
        'invalid_ssh_key',
        'an OpenSSH public key line (like ssh-ed25519 AAAA...)',
      ),
    )
    .optional(),
  kmsKeyArn: formatted(
    patterns.kmsKeyArn,
    'invalid_kms_key_arn',
    'a KMS key ARN (arn:aws:kms:<region>:<12-digit account>:key/<key id>)',
  ).optional(),
  s3URI: formatted(patterns.s3URI, 'invalid_s3_uri', 'an S3 URI (s3://bucket/prefix)').optional(),
  amiId: formatted(patterns.amiId, 'invalid_ami_id', 'an AMI id (ami- and 8 or 17 hex digits)').optional(),
  releaseChannel: z.enum(['stable', 'beta', 'alpha']).optional(),
  kubernetesVersion: formatted(
    patterns.kubernetesVersion,
    'invalid_kubernetes_version',
    'a Kubernetes version (like v1.31.2)',
  ).optional(),
  vpc: z
    .strictObject({
      id: formatted(patterns.vpcId, 'invalid_vpc_id', 'a VPC id (vpc- and 8 or 17 hex digits)').optional(),
      cidr: cidr.optional(),
    })
    .optional(),
  routeTableId: formatted(
    patterns.routeTableId,
    'invalid_route_table_id',
    'a route table id (rtb- and 8 or 17 hex digits)',
  ).optional(),
  internetGateway: z
    .strictObject({
      id: formatted(
        patterns.internetGatewayId,
        'invalid_internet_gateway_id',
        'an internet gateway id (igw- and 8 or 17 hex digits)',
      ).optional(),
    })
    .optional(),
  mapPublicIPs: z.boolean().optional(),
  subnets: z.array(subnet).optional(),
  serviceCIDR: cidr.optional(),
  podCIDR: cidr.optional(),
  dnsServiceIP: formatted(patterns.ipv4, 'invalid_ip', 'an IPv4 address').optional(),
  apiEndpoints: z.array(apiEndpoint).optional(),
  controller: controller.optional(),
  etcd: etcd.optional(),
  worker: z.strictObject({ nodePools: z.array(nodePool).optional() }).optional(),
  tlsCADurationDays: z.int().min(1).max(36_500).optional(),
  tlsCertDurationDays: z.int().min(1).max(36_500).optional(),
  stackTags: z.record(z.string(), stringish).optional(),
});

/** A shape-checked spec before defaults. */
export type SpecInput = z.output<typeof clusterSpecSchema>;
export type NodePoolInput = NonNullable<NonNullable<SpecInput['worker']>['nodePools']>[number];
export type VolumeInput = z.output<typeof volume>;
export type AutoScalingGroupInput = z.output<typeof autoScalingGroup>;

/** Keys a mapping at `path` may hold (for "did you mean" hints); undefined for free-form maps. */
export function allowedKeysAt(path: readonly (string | number)[]): string[] | undefined {
  let schema: z.ZodType = clusterSpecSchema;
  for (const segment of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodArray && typeof segment === 'number') schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodObject && typeof segment === 'string') {
      const next = (schema.shape as Record<string, z.ZodType>)[segment];
      if (!next) return undefined;
      schema = next;
    } else return undefined;
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  return current;
}
