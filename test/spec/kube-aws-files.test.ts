/**
 * cluster.yaml files as kube-aws wrote and tested them (reconstructed from kube-aws's init template and
 * its config tests, with real-looking identifiers in place of their placeholders). What kaws accepts
 * from them, and how it reports what it does not implement.
 */
import { describe, expect, it } from 'vitest';
import { validateClusterSpec } from '../../lib/spec/index.ts';
import { expectValid } from './fixtures.ts';

/** `kube-aws init` output (v0.9.9 template): nested apiEndpoints, top-level availabilityZone, one node pool. */
const INIT_OUTPUT = `# Unique name of Kubernetes cluster.
clusterName: mycluster
#releaseChannel: stable
apiEndpoints:
- # The unique name of this API endpoint
  name: default
  dnsName: k8s.example.com
  loadBalancer:
    #recordSetTTL: 300
    hostedZone:
      id: Z1D633PJN98FT9
keyName: my-key
region: us-west-1
availabilityZone: us-west-1c
kmsKeyArn: "arn:aws:kms:us-west-1:123456789012:key/0d2b7c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e"
worker:
  nodePools:
    - # Name of this node pool.
      name: nodepool1
`;

/** The disabled feature blocks the same template leaves uncommented. */
const DISABLED_FEATURES = `
kubernetesDashboard:
  adminPrivileges: true
  insecureLogin: false
kubeDns:
  autoscaler:
    coresPerReplica: 256
    nodesPerReplica: 16
    min: 2
kubeProxy:
  ipvsMode:
    enabled: false
addons:
  clusterAutoscaler:
    enabled: false
experimental:
  admission:
    podSecurityPolicy:
      enabled: false
`;

describe('kube-aws cluster.yaml files', () => {
  it('accepts the cluster part of a kube-aws init output', () => {
    const result = validateClusterSpec(INIT_OUTPUT);
    expectValid(result);
    expect(result.spec!.subnets).toEqual([
      { name: 'Subnet0', availabilityZone: 'us-west-1c', instanceCIDR: '10.0.0.0/24', private: false },
    ]);
    expect(result.spec!.worker.nodePools.map((p) => p.name)).toEqual(['nodepool1']);
  });

  it('names each kube-aws feature block kaws does not implement, even when disabled', () => {
    const result = validateClusterSpec(INIT_OUTPUT + DISABLED_FEATURES);
    expect(result.errors.map((e) => e.path).sort()).toEqual([
      'addons',
      'experimental',
      'kubeDns',
      'kubeProxy',
      'kubernetesDashboard',
    ]);
    for (const error of result.errors) {
      expect(error).toMatchObject({
        code: 'unknown_key',
        message: expect.stringContaining('kube-aws feature kaws does not support'),
      });
    }
  });

  it('kube-aws config tests: the network settings it accepted', () => {
    const minimal = `externalDNSName: test.staging.core-os.net
keyName: test-key-name
region: us-west-1
clusterName: test-cluster-name
kmsKeyArn: "arn:aws:kms:us-west-1:123456789012:key/0d2b7c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e"
availabilityZone: us-west-1c
`;
    for (const extra of [
      '',
      'vpcCIDR: 10.4.0.0/16\ninstanceCIDR: 10.4.3.0/24\npodCIDR: 10.6.0.0/16\nserviceCIDR: 10.5.0.0/16\ndnsServiceIP: 10.5.100.101\n',
      'vpcId: vpc-0a1b2c3d\nrouteTableId: rtb-0a1b2c3d\n',
      'createRecordSet: false\nhostedZone: ""\n',
      'createRecordSet: true\nrecordSetTTL: 400\nhostedZone: core-os.net\n',
      'createRecordSet: true\nhostedZone: "staging.core-os.net"\n',
      'createRecordSet: true\nhostedZoneId: "XXXXXXXXXXX"\n',
      'releaseChannel: alpha\n',
      'serviceCIDR: 172.5.10.10/22\ndnsServiceIP: 172.5.10.10\n',
    ]) {
      expectValid(validateClusterSpec(minimal + extra));
    }
  });

  it('kube-aws config tests: the network settings it rejected are rejected, at the key written', () => {
    const minimal = `externalDNSName: test.staging.core-os.net
keyName: test-key-name
region: us-west-1
clusterName: test-cluster-name
kmsKeyArn: "arn:aws:kms:us-west-1:123456789012:key/0d2b7c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e"
availabilityZone: us-west-1c
`;
    const cases: Array<[string, string | string[]]> = [
      [
        'vpcCIDR: 10.4.2.0/23\ninstanceCIDR: 10.4.3.0/24\npodCIDR: 10.4.0.0/16\nserviceCIDR: 10.5.0.0/16\ndnsServiceIP: 10.5.100.101\n',
        'podCIDR:cidr_overlap',
      ],
      [
        'vpcCIDR: 10.4.0.0/16\ninstanceCIDR: 10.5.3.0/24\npodCIDR: 10.6.0.0/16\nserviceCIDR: 10.7.0.0/16\ndnsServiceIP: 10.7.100.101\n',
        'instanceCIDR:subnet_outside_vpc',
      ],
      ['serviceCIDR: 172.5.0.0/16\ndnsServiceIP: 172.5.0.1\n', 'dnsServiceIP:dns_service_ip_conflict'],
      [
        'serviceCIDR: 172.5.0.0/16\ndnsServiceIP: 172.6.100.101\n',
        'dnsServiceIP:dns_service_ip_outside_service_cidr',
      ],
      ['routeTableId: rtb-0a1b2c3d\n', 'routeTableId:route_table_requires_vpc'],
      ['recordSetTTL: 0\n', 'recordSetTTL:out_of_range'],
      ['createRecordSet: true\n', 'hostedZoneId:hosted_zone_required'],
      ['createRecordSet: false\nrecordSetTTL: 400\n', 'recordSetTTL:ttl_without_record_set'],
      [
        'createRecordSet: true\nrecordSetTTL: 60\nhostedZone: staging.core-os.net\nhostedZoneId: /hostedzone/Z2ABCDEF\n',
        'hostedZone:hosted_zone_conflict',
      ],
      ['releaseChannel: non-existant\n', 'releaseChannel:invalid_value'],
      [
        'controllerRootVolumeType: standard\ncontrollerRootVolumeIOPS: 100\n',
        'controllerRootVolumeIOPS:iops_not_supported',
      ],
      ['workerRootVolumeType: io1\nworkerRootVolumeIOPS: 99\n', 'workerRootVolumeIOPS:iops_out_of_range'],
      [
        'subnets:\n- availabilityZone: us-west-1a\n  instanceCIDR: 10.0.5.0/24\n- availabilityZone: us-west-1b\n  instanceCIDR: 10.0.5.0/24\n',
        ['availabilityZone:conflicting_keys', 'subnets[1].instanceCIDR:subnet_cidr_overlap'],
      ],
    ];
    for (const [extra, expected] of cases) {
      const result = validateClusterSpec(minimal + extra);
      expect(result.errors.map((e) => `${e.path}:${e.code}`)).toEqual([expected].flat());
    }
  });
});
