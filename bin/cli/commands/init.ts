/**
 * `kaws init`: writes a starter cluster.yaml (mode 0600) from kube-aws's init flags. Refuses to
 * overwrite an existing file. The written spec is validated first, so init never leaves a file
 * that `kaws validate` would reject.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { DEFAULTS, type SpecIssue, validateClusterSpec } from '../../../lib/spec/index.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from '../errors.ts';

interface InitOptions {
  clusterName: string;
  externalDnsName: string;
  region: string;
  availabilityZone: string;
  keyName: string;
  kmsKeyArn: string;
  hostedZoneId?: string;
  recordSet: boolean;
  file: string;
}

/** Which flag produced each spec path, so a bad value is reported against the flag. */
const FLAG_FOR_PATH: Record<string, string> = {
  clusterName: '--cluster-name',
  region: '--region',
  kmsKeyArn: '--kms-key-arn',
  keyName: '--key-name',
  'subnets[0].availabilityZone': '--availability-zone',
  'apiEndpoints[0].dnsName': '--external-dns-name',
  'apiEndpoints[0].loadBalancer.hostedZone.id': '--hosted-zone-id',
};

const OPTIONAL_SECTIONS = `
# Optional sections (defaults shown). See the README for every field.
#
# controller:
#   count: 1
#   instanceType: ${DEFAULTS.instanceType}
#   rootVolume: { size: ${DEFAULTS.rootVolume.size}, type: ${DEFAULTS.rootVolume.type} }
# etcd:
#   count: 1                      # use 3 or 5 for a highly available cluster
#   instanceType: ${DEFAULTS.instanceType}
#   dataVolume: { size: ${DEFAULTS.etcdDataVolume.size}, type: ${DEFAULTS.etcdDataVolume.type}, encrypted: true }
# worker:
#   nodePools:
#     - name: ${DEFAULTS.nodePoolName}
#       count: 1
#       instanceType: ${DEFAULTS.instanceType}
# vpc:
#   cidr: ${DEFAULTS.vpcCIDR}          # or id: vpc-... to use an existing VPC
# podCIDR: ${DEFAULTS.podCIDR}
# serviceCIDR: ${DEFAULTS.serviceCIDR}
# dnsServiceIP: ${DEFAULTS.dnsServiceIP}
# kubernetesVersion: ${DEFAULTS.kubernetesVersion}
# tlsCADurationDays: ${DEFAULTS.tlsCADurationDays}
# tlsCertDurationDays: ${DEFAULTS.tlsCertDurationDays}
# stackTags:
#   team: platform
`;

/** The starter spec, in kube-aws's nested form. */
export function renderInitialSpec(options: InitOptions): string {
  const loadBalancer = options.recordSet
    ? { hostedZone: { id: options.hostedZoneId }, recordSetTTL: DEFAULTS.recordSetTTL }
    : { recordSetManaged: false };
  const spec = {
    clusterName: options.clusterName,
    region: options.region,
    kmsKeyArn: options.kmsKeyArn,
    keyName: options.keyName,
    apiEndpoints: [{ name: 'default', dnsName: options.externalDnsName, loadBalancer }],
    subnets: [
      { name: 'Subnet0', availabilityZone: options.availabilityZone, instanceCIDR: DEFAULTS.instanceCIDR },
    ],
  };
  const header =
    '# kaws cluster spec (kube-aws cluster.yaml), written by `kaws init`. Check it with `kaws validate`.\n';
  return header + stringify(spec) + OPTIONAL_SECTIONS;
}

const describe = (issue: SpecIssue) => `${FLAG_FOR_PATH[issue.path] ?? issue.path}: ${issue.message}`;

export function register(program: Command): void {
  program
    .command('init')
    .description('write a starter cluster.yaml (mode 0600); never overwrites an existing file')
    .requiredOption('--cluster-name <name>', 'cluster name')
    .requiredOption('--external-dns-name <name>', 'DNS name of the Kubernetes API endpoint')
    .requiredOption('--region <region>', 'AWS region')
    .requiredOption('--availability-zone <zone>', 'availability zone of the cluster subnet')
    .requiredOption('--key-name <name>', 'EC2 key pair for SSH access to the nodes')
    .requiredOption('--kms-key-arn <arn>', 'KMS key that encrypts the TLS assets')
    .option('--hosted-zone-id <id>', 'Route 53 hosted zone for the API record set')
    .option('--no-record-set', 'do not create a Route 53 record set (you manage DNS yourself)')
    .option('-f, --file <path>', 'where to write the spec', 'cluster.yaml')
    .action(async (options: InitOptions) => {
      if (options.recordSet && !options.hostedZoneId) {
        throw new CliError('--hosted-zone-id is required unless --no-record-set is given', EXIT_USAGE);
      }
      if (!options.recordSet && options.hostedZoneId) {
        throw new CliError('--hosted-zone-id and --no-record-set cannot be combined', EXIT_USAGE);
      }
      const text = renderInitialSpec(options);
      const result = validateClusterSpec(text);
      if (!result.valid) {
        throw new CliError(
          `invalid options:\n${result.errors.map((e) => `  ${describe(e)}`).join('\n')}`,
          EXIT_FAILED,
        );
      }
      try {
        // 'wx': create only, atomically; an existing file is never touched.
        await writeFile(options.file, text, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') {
          throw new CliError(
            `${options.file} already exists; refusing to overwrite it (remove it or use --file)`,
          );
        }
        throw new CliError(`cannot write ${options.file}: ${code ?? (error as Error).message}`);
      }
      process.stdout.write(`wrote ${options.file}; review it, then run: kaws validate -f ${options.file}\n`);
    });
}
