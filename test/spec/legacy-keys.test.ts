/** kube-aws 0.9 flat keys: folded into the nested form, with errors reported at the key the user wrote. */
import { describe, expect, it } from 'vitest';
import { check, expectErrors, expectValid, FLAT_BASE } from './fixtures.ts';

const flat = (patch = {}) => check(patch, FLAT_BASE);

describe('flat keys are normalized into the nested form', () => {
  it('moves every controller, etcd, worker and network key', () => {
    const result = flat({
      controllerCount: 3,
      controllerInstanceType: 'm5.large',
      controllerRootVolumeSize: 40,
      controllerRootVolumeType: 'io1',
      controllerRootVolumeIOPS: 1000,
      etcdCount: 3,
      etcdInstanceType: 'm5.large',
      etcdRootVolumeSize: 20,
      etcdRootVolumeType: 'gp2',
      etcdDataVolumeSize: 50,
      etcdDataVolumeType: 'io2',
      etcdDataVolumeIOPS: 3000,
      etcdDataVolumeEncrypted: false,
      workerCount: 4,
      workerInstanceType: 'c5.large',
      workerRootVolumeSize: 60,
      workerRootVolumeType: 'gp3',
      workerRootVolumeIOPS: 4000,
      workerSpotPrice: '0.05',
      vpcId: 'vpc-0a1b2c3d',
      vpcCIDR: '10.8.0.0/16',
      instanceCIDR: '10.8.1.0/24',
      internetGatewayId: 'igw-0a1b2c3d',
    });
    expectValid(result);
    const spec = result.spec!;
    expect(spec.controller).toMatchObject({
      count: 3,
      instanceType: 'm5.large',
      rootVolume: { size: 40, type: 'io1', iops: 1000 },
    });
    expect(spec.etcd).toMatchObject({
      count: 3,
      instanceType: 'm5.large',
      rootVolume: { size: 20, type: 'gp2' },
      dataVolume: { size: 50, type: 'io2', iops: 3000, encrypted: false },
    });
    expect(spec.worker.nodePools).toEqual([
      expect.objectContaining({
        name: 'workers',
        count: 4,
        instanceType: 'c5.large',
        rootVolume: { size: 60, type: 'gp3', iops: 4000 },
        spotPrice: '0.05',
      }),
    ]);
    expect(spec.vpc).toEqual({ id: 'vpc-0a1b2c3d', cidr: '10.8.0.0/16' });
    expect(spec.internetGateway).toEqual({ id: 'igw-0a1b2c3d' });
    expect(spec.subnets).toEqual([
      { name: 'Subnet0', availabilityZone: 'us-east-1a', instanceCIDR: '10.8.1.0/24', private: false },
    ]);
  });

  it('turns externalDNSName + createRecordSet/hostedZoneId/recordSetTTL into one API endpoint', () => {
    const result = flat({
      createRecordSet: true,
      hostedZoneId: '/hostedzone/Z0123456789ABC',
      recordSetTTL: 60,
    });
    expectValid(result);
    expect(result.spec!.apiEndpoints).toEqual([
      {
        name: 'default',
        dnsName: 'api.demo.example.com',
        loadBalancer: {
          type: 'classic',
          private: false,
          subnets: ['Subnet0'],
          hostedZone: { id: 'Z0123456789ABC' },
          recordSetManaged: true,
          recordSetTTL: 60,
          apiAccessAllowedSourceCIDRs: ['0.0.0.0/0'],
        },
      },
    ]);
  });

  it('without createRecordSet, kaws does not manage the record set (kube-aws 0.9 default)', () => {
    const result = flat();
    expectValid(result);
    expect(result.spec!.apiEndpoints[0]!.loadBalancer.recordSetManaged).toBe(false);
  });

  it('accepts the hosted zone by name (kube-aws 0.9 hostedZone)', () => {
    const result = flat({ createRecordSet: true, hostedZone: 'example.com.' });
    expectValid(result);
    expect(result.spec!.apiEndpoints[0]!.loadBalancer.hostedZone).toEqual({ name: 'example.com' });
  });

  it('treats empty strings and nulls as "use the default"', () => {
    const result = flat({
      vpcCIDR: '',
      instanceCIDR: '',
      serviceCIDR: '',
      podCIDR: null,
      kubernetesVersion: '',
      workerSpotPrice: '',
    });
    expectValid(result);
    expect(result.spec).toMatchObject({
      vpc: { cidr: '10.0.0.0/16' },
      serviceCIDR: '10.3.0.0/24',
      podCIDR: '10.2.0.0/16',
    });
    expect(result.spec!.subnets[0]!.instanceCIDR).toBe('10.0.0.0/24');
    expect(result.spec!.worker.nodePools[0]!.spotPrice).toBeUndefined();
  });

  it('keeps empty values inside free-form maps (stack tags, node labels)', () => {
    const result = check({
      stackTags: { empty: '' },
      worker: { nodePools: [{ name: 'a', nodeLabels: { marker: '' } }] },
    });
    expectValid(result);
    expect(result.spec!.stackTags).toEqual({ empty: '' });
    expect(result.spec!.worker.nodePools[0]!.nodeLabels).toEqual({ marker: '' });
  });

  it('accepts rootVolumeSize/Type/IOPS inside controller, etcd and node pools', () => {
    const result = check({
      controller: { rootVolumeSize: 50, rootVolumeType: 'gp2' },
      etcd: { rootVolumeSize: 40 },
      worker: { nodePools: [{ name: 'a', rootVolumeType: 'io1', rootVolumeIOPS: 500, rootVolumeSize: 100 }] },
    });
    expectValid(result);
    expect(result.spec!.controller.rootVolume).toEqual({ size: 50, type: 'gp2' });
    expect(result.spec!.etcd.rootVolume).toEqual({ size: 40, type: 'gp3' });
    expect(result.spec!.worker.nodePools[0]!.rootVolume).toEqual({ size: 100, type: 'io1', iops: 500 });
  });

  it('accepts kube-aws subnet references ({name: x}) and plain names', () => {
    const result = check({
      controller: { subnets: [{ name: 'public-a' }] },
      etcd: { subnets: ['public-b'] },
    });
    expectValid(result);
    expect(result.spec!.controller.subnets).toEqual(['public-a']);
    expect(result.spec!.etcd.subnets).toEqual(['public-b']);
  });
});

describe('errors name the flat key the user wrote', () => {
  it.each([
    [{ vpcId: 'vpc-nothex00' }, 'vpcId', 'invalid_vpc_id'],
    [{ vpcCIDR: '10.0.0.0/33' }, 'vpcCIDR', 'invalid_cidr'],
    [{ controllerCount: 'three' }, 'controllerCount', 'invalid_type'],
    [{ controllerRootVolumeType: 'default' }, 'controllerRootVolumeType', 'invalid_value'],
    [{ etcdDataVolumeEncrypted: 'yes' }, 'etcdDataVolumeEncrypted', 'invalid_type'],
    [{ workerInstanceType: 'huge' }, 'workerInstanceType', 'invalid_instance_type'],
    [{ workerSpotPrice: 'cheap' }, 'workerSpotPrice', 'invalid_spot_price'],
    [{ availabilityZone: 'moon-1a' }, 'availabilityZone', 'invalid_availability_zone'],
    [{ instanceCIDR: '10.1.0.0/24' }, 'instanceCIDR', 'subnet_outside_vpc'],
    [{ externalDNSName: 'not a name' }, 'externalDNSName', 'invalid_dns_name'],
    [{ recordSetTTL: 0 }, 'recordSetTTL', 'out_of_range'],
    [{ createRecordSet: true }, 'hostedZoneId', 'hosted_zone_required'],
    [{ createRecordSet: false, recordSetTTL: 400 }, 'recordSetTTL', 'ttl_without_record_set'],
    [{ hostedZoneId: 'Z0123456789ABC' }, 'hostedZoneId', 'hosted_zone_without_record_set'],
    [
      { createRecordSet: true, hostedZone: 'example.com', hostedZoneId: 'Z0123456789ABC' },
      'hostedZone',
      'hosted_zone_conflict',
    ],
    [{ routeTableId: 'rtb-0a1b2c3d' }, 'routeTableId', 'route_table_requires_vpc'],
    [{ internetGatewayId: 'igw-0a1b2c3d' }, 'internetGatewayId', 'internet_gateway_requires_vpc'],
    [{ etcdDataVolumeType: 'io1' }, 'etcdDataVolumeIOPS', 'iops_required'],
  ])('%o -> %s', (patch, path, code) => {
    expectErrors(flat(patch), { path, code });
  });

  it('the same values are accepted when valid', () => {
    expectValid(
      flat({
        vpcId: 'vpc-0a1b2c3d4e5f67890',
        vpcCIDR: '10.0.0.0/16',
        controllerCount: 3,
        controllerRootVolumeType: 'standard',
        etcdDataVolumeEncrypted: true,
        workerInstanceType: 'm7i-flex.large',
        workerSpotPrice: 0.05,
        instanceCIDR: '10.0.5.0/24',
        createRecordSet: true,
        recordSetTTL: 1,
        hostedZoneId: 'Z0123456789ABC',
        routeTableId: 'rtb-0a1b2c3d',
      }),
    );
  });
});

describe('conflicts between the flat and the nested form', () => {
  it.each([
    [{ vpc: { id: 'vpc-0a1b2c3d' }, vpcId: 'vpc-1a1b2c3d', routeTableId: 'rtb-0a1b2c3d' }, 'vpcId'],
    [{ controller: { count: 2 }, controllerCount: 3 }, 'controllerCount'],
    [{ workerCount: 2, worker: { nodePools: [{ name: 'a' }] } }, 'workerCount'],
    [{ subnets: [{ availabilityZone: 'us-east-1a', instanceCIDR: '10.0.0.0/24' }] }, 'availabilityZone'],
    [
      { apiEndpoints: [{ name: 'x', dnsName: 'x.example.com', loadBalancer: { recordSetManaged: false } }] },
      'externalDNSName',
    ],
    [{ controller: { rootVolumeSize: 10, rootVolume: { size: 20 } } }, 'controller.rootVolumeSize'],
  ])('%o -> conflicting_keys at %s', (patch, path) => {
    expectErrors(flat(patch), { path, code: 'conflicting_keys' });
  });

  it('record-set keys only apply with externalDNSName', () => {
    const result = check({ hostedZoneId: 'Z0123456789ABC' });
    expectErrors(result, { path: 'hostedZoneId', code: 'conflicting_keys' });
  });

  it('one of externalDNSName / apiEndpoints is required, and availabilityZone without subnets', () => {
    expectErrors(flat({ externalDNSName: undefined }), { path: 'externalDNSName', code: 'required' });
    expectErrors(flat({ availabilityZone: undefined }), { path: 'availabilityZone', code: 'required' });
    expectErrors(flat({ availabilityZone: undefined, subnets: [] }), {
      path: 'availabilityZone',
      code: 'required',
    });
  });
});
