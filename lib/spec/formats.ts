/**
 * Formats of identifiers and names in a cluster spec: AWS resource ids, ARNs, DNS and Kubernetes
 * names. One table, shared by the schema (shape) and the rules (cross-field checks).
 */

const awsId = (prefix: string) => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);

export const patterns = {
  /** Stack names start with a letter and hold letters, digits and hyphens; a DNS label ends alphanumeric. */
  clusterName: /^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
  region: /^[a-z]{2}(?:-(?:gov|iso[a-z]?))?-[a-z]+-\d{1,2}$/,
  /** A region followed by a zone letter (us-east-1a), or a Local Zone (us-west-2-lax-1a). */
  availabilityZone: /^[a-z]{2}(?:-(?:gov|iso[a-z]?))?-[a-z]+-\d{1,2}(?:-[a-z]+-\d+)?[a-z]$/,
  vpcId: awsId('vpc'),
  subnetId: awsId('subnet'),
  routeTableId: awsId('rtb'),
  internetGatewayId: awsId('igw'),
  amiId: awsId('ami'),
  /** Route 53 hosted zone ids: upper-case letters and digits, optionally with the API's /hostedzone/ prefix. */
  hostedZoneId: /^(?:\/hostedzone\/)?[A-Z0-9]{1,32}$/,
  kmsKeyArn:
    /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}):(\d{12}):(?:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias\/[A-Za-z0-9/_-]{1,250})$/,
  s3URI: /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:\/[^\s]*)?$/,
  /** EC2 key pair names: printable ASCII. */
  keyName: /^[\x20-\x7E]{1,255}$/,
  sshPublicKey:
    /^(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}(?: [^\r\n]*)?$/,
  /** family.size, e.g. m5.large, m7i-flex.xlarge, u-6tb1.metal. */
  instanceType: /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/,
  kubernetesVersion: /^v?\d+\.\d+\.\d+$/,
  /** A full version (3.5.16), or just the major version as kube-aws allowed (3). */
  etcdVersion: /^v?\d+(?:\.\d+\.\d+)?$/,
  /** Subnet names become parts of CloudFormation logical ids and tags. */
  subnetName: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
  /** DNS-1123 label: node pool names end up in stack names and Kubernetes labels. */
  dns1123Label: /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/,
  /** A fully qualified host name (no trailing dot), at most 253 characters. */
  dnsName:
    /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/,
  /** A zone name like example.com, optionally with the trailing dot. */
  hostedZoneName:
    /^(?=.{1,254}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/,
  spotPrice: /^(?:\d{1,6})(?:\.\d{1,6})?$/,
  /** Kubernetes label values: empty, or up to 63 alphanumerics with -_. inside. */
  labelValue: /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
  labelName: /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
  ipv4: /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  ipv4Cidr:
    /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(?:3[0-2]|[12]?\d)$/,
} as const;

/** A Kubernetes qualified name: optional DNS-subdomain prefix and `/`, then a label name. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (!patterns.labelName.test(name)) return false;
  if (slash === -1) return true;
  const prefix = key.slice(0, slash);
  return (
    prefix.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix)
  );
}

/** Region of a KMS key ARN, or undefined when the ARN is malformed. */
export function kmsKeyArnParts(
  arn: string,
): { partition: string; region: string; account: string } | undefined {
  const match = patterns.kmsKeyArn.exec(arn);
  if (!match) return undefined;
  return { partition: match[1]!, region: match[2]!, account: match[3]! };
}

/** The AWS partition a region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
