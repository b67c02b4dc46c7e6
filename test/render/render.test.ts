import { describe, expect, it } from 'vitest';
import {
  checkRenderLimits,
  parseS3Uri,
  RenderError,
  renderCluster,
  TEMPLATE_URL_MAX_BYTES,
} from '../../lib/render/index.ts';
import { templateProblems } from '../../lib/render/limits.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import { copy, EXAMPLES, exampleInput, exampleSpec, fakeAssets, TEST_ARTIFACTS } from './fixtures.ts';
import { existingVpcSpec } from './variants.ts';

const templatesOf = (rendered: ReturnType<typeof renderCluster>) =>
  Object.fromEntries(rendered.stacks.map((s) => [s.name, s.template]));
const configsOf = (rendered: ReturnType<typeof renderCluster>) =>
  Object.fromEntries(rendered.nodeConfigs.map((c) => [c.name, c.text]));

function renderIssues(spec: ClusterSpec) {
  try {
    renderCluster({ spec, assets: fakeAssets(), artifacts: { ...TEST_ARTIFACTS } });
  } catch (error) {
    if (error instanceof RenderError) return error.issues;
    throw error;
  }
  return [];
}

describe('renderCluster', () => {
  it('renders one stack per lifecycle, in deployment order, and one config per role', () => {
    const rendered = renderCluster(exampleInput('ha-cluster'));
    expect(rendered.stacks.map((s) => [s.kind, s.name])).toEqual([
      ['network', 'prod-east-network'],
      ['etcd', 'prod-east-etcd'],
      ['control-plane', 'prod-east-control-plane'],
      ['nodepool', 'prod-east-nodepool-general'],
      ['nodepool', 'prod-east-nodepool-spot'],
      ['nodepool', 'prod-east-nodepool-gpu'],
    ]);
    expect(rendered.nodeConfigs.map((c) => c.name)).toEqual([
      'etcd',
      'controller',
      'worker-general',
      'worker-spot',
      'worker-gpu',
    ]);
    // Each stack depends only on stacks before it.
    const names = rendered.stacks.map((s) => s.name);
    rendered.stacks.forEach((stack, i) => {
      for (const dependency of stack.dependsOn) expect(names.indexOf(dependency)).toBeLessThan(i);
    });
    expect(rendered.stacks.find((s) => s.kind === 'etcd')?.tags).toEqual({
      team: 'platform',
      environment: 'production',
      'kaws:cluster': 'prod-east',
    });
  });

  it.each(EXAMPLES)('is deterministic for %s: same input, byte-identical output', (name) => {
    const first = renderCluster(exampleInput(name));
    const second = renderCluster(exampleInput(name));
    expect(templatesOf(second)).toEqual(templatesOf(first));
    expect(configsOf(second)).toEqual(configsOf(first));
    expect(second.uploads).toEqual(first.uploads);
  });

  it('does not depend on the key order of maps in the spec', () => {
    const input = exampleInput('ha-cluster');
    const pool = input.spec.worker.nodePools[0] as ClusterSpec['worker']['nodePools'][number];
    pool.nodeLabels = { 'example.com/tier': 'web', 'example.com/zone': 'a' };
    input.spec.stackTags = { a: '1', b: '2' };
    const reordered = copy(input);
    (reordered.spec.worker.nodePools[0] as typeof pool).nodeLabels = {
      'example.com/zone': 'a',
      'example.com/tier': 'web',
    };
    reordered.spec.stackTags = { b: '2', a: '1' };
    expect(templatesOf(renderCluster(reordered))).toEqual(templatesOf(renderCluster(input)));
    expect(configsOf(renderCluster(reordered))).toEqual(configsOf(renderCluster(input)));
  });

  it('a changed certificate changes the configs and templates of the roles that use it, and nothing else', () => {
    const input = exampleInput('ha-cluster');
    const before = renderCluster(input);
    const after = renderCluster({
      ...input,
      assets: fakeAssets({ 'etcd.pem': 'a reissued etcd certificate' }),
    });
    const changed = after.stacks
      .filter((s, i) => s.template !== before.stacks[i]?.template)
      .map((s) => s.name);
    expect(changed).toEqual(['prod-east-etcd']);
    const workerCert = renderCluster({ ...input, assets: fakeAssets({ 'worker.pem': 'reissued' }) });
    expect(
      workerCert.stacks.filter((s, i) => s.template !== before.stacks[i]?.template).map((s) => s.name),
    ).toEqual([
      'prod-east-control-plane',
      'prod-east-nodepool-general',
      'prod-east-nodepool-spot',
      'prod-east-nodepool-gpu',
    ]);
  });

  it('changing one pool changes only that pool stack', () => {
    const input = exampleInput('ha-cluster');
    const before = renderCluster(input);
    const changedSpec = copy(input.spec);
    (changedSpec.worker.nodePools[0] as { instanceType: string }).instanceType = 'm5.2xlarge';
    const after = renderCluster({ ...input, spec: changedSpec });
    const changed = after.stacks
      .filter((s, i) => s.template !== before.stacks[i]?.template)
      .map((s) => s.name);
    expect(changed).toEqual(['prod-east-nodepool-general']);
  });

  it('puts no TLS material in templates or configs, only fingerprints; userdata stays well under 16 KB', () => {
    const input = exampleInput('ha-cluster');
    const rendered = renderCluster(input);
    const everything = [...Object.values(templatesOf(rendered)), ...Object.values(configsOf(rendered))].join(
      '\n',
    );
    expect(everything).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
    for (const config of rendered.nodeConfigs) {
      expect(Buffer.byteLength(config.bootstrap)).toBeLessThan(1024);
      const bootstrap = JSON.parse(config.bootstrap);
      expect(bootstrap.ignition.config.replace.source).toBe(`s3://${TEST_ARTIFACTS.bucket}/${config.s3Key}`);
    }
    // Every node config is uploaded, and each template carries its config's bootstrap.
    expect(rendered.uploads.map((u) => u.key).sort()).toEqual(
      rendered.nodeConfigs.map((c) => c.s3Key).sort(),
    );
    const pool = rendered.stacks.find((s) => s.nodePool === 'general');
    const launchTemplate = JSON.parse(pool?.template ?? '{}').Resources.WorkerLaunchTemplate;
    expect(launchTemplate.Properties.LaunchTemplateData.UserData['Fn::Base64']).toBe(
      rendered.nodeConfigs.find((c) => c.name === 'worker-general')?.bootstrap,
    );
  });

  it('refuses a render whose assets are missing, naming each one', () => {
    const input = exampleInput('ha-cluster');
    const { 'worker-key.pem': _dropped, ...assets } = input.assets;
    expect(() => renderCluster({ ...input, assets })).toThrow(RenderError);
    try {
      renderCluster({ ...input, assets });
    } catch (error) {
      expect((error as RenderError).issues[0]).toMatchObject({
        path: 'credentials/worker-key.pem',
        code: 'missing_asset',
      });
    }
  });

  it('sends a template over 51,200 bytes through S3 and uploads it', () => {
    const spec = exampleSpec('ha-cluster');
    // 48 /24 subnets: a network template around 150 KB.
    spec.subnets = Array.from({ length: 48 }, (_, i) => ({
      name: `s${i}`,
      availabilityZone: `us-east-1${'abc'[i % 3]}`,
      instanceCIDR: `10.0.${i}.0/24`,
      private: false,
    }));
    for (const e of spec.apiEndpoints) e.loadBalancer.subnets = ['s0', 's1', 's2'];
    spec.controller.subnets = ['s0'];
    spec.etcd.subnets = ['s0'];
    for (const p of spec.worker.nodePools) p.subnets = ['s0'];
    const rendered = renderCluster({ spec, assets: fakeAssets(), artifacts: { ...TEST_ARTIFACTS } });
    const network = rendered.stacks[0];
    if (!network) throw new Error('no network stack');
    expect(network.bytes).toBeGreaterThan(51_200);
    const key = `clusters/prod-east/stack-templates/prod-east-network-${network.fingerprint}.json`;
    expect(network.templateLocation).toEqual({ kind: 's3', bucket: TEST_ARTIFACTS.bucket, key });
    expect(rendered.uploads.find((u) => u.key === key)?.body).toBe(network.template);
    expect(rendered.stacks.slice(1).every((s) => s.templateLocation.kind === 'body')).toBe(true);
  });
  it('puts the API record in the hosted zone the spec names, by id or by name', () => {
    const recordOf = (spec: ClusterSpec) => {
      const rendered = renderCluster({ spec, assets: fakeAssets(), artifacts: { ...TEST_ARTIFACTS } });
      const controlPlane = JSON.parse(
        rendered.stacks.find((s) => s.kind === 'control-plane')?.template ?? '{}',
      );
      return controlPlane.Resources.ApiEndpointDefaultRecordSet?.Properties;
    };
    const byId = exampleSpec('ha-cluster');
    expect(recordOf(byId)).toMatchObject({
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      Name: 'api.prod-east.example.com',
      TTL: '60',
    });
    const byName = existingVpcSpec();
    expect(recordOf(byName)).toMatchObject({ HostedZoneName: 'my.domain.', Type: 'CNAME' });
    (byName.apiEndpoints[0] as ClusterSpec['apiEndpoints'][number]).loadBalancer.recordSetManaged = false;
    expect(recordOf(byName)).toBeUndefined();
  });
});

describe('limits, reported with the spec path that causes them', () => {
  it('more than 500 resources in a stack', () => {
    const spec = exampleSpec('ha-cluster');
    spec.etcd.count = 125; // 4 resources per member
    expect(renderIssues(spec)).toEqual([
      expect.objectContaining({ path: 'etcd.count', code: 'too_many_resources' }),
    ]);
  });

  it('a stack name over 128 characters, and one CloudFormation would reject', () => {
    const spec = exampleSpec('ha-cluster');
    (spec.worker.nodePools[1] as { name: string }).name = 'p'.repeat(120);
    (spec.worker.nodePools[2] as { name: string }).name = 'gpu_pool';
    expect(renderIssues(spec)).toEqual([
      expect.objectContaining({ path: 'worker.nodePools[1].name', code: 'stack_name_too_long' }),
      expect.objectContaining({ path: 'worker.nodePools[2].name', code: 'invalid_stack_name' }),
    ]);
  });

  it('names that would collide as CloudFormation logical IDs', () => {
    const spec = exampleSpec('ha-cluster');
    (spec.subnets[1] as { name: string }).name = 'public.a';
    const issues = renderIssues(spec);
    expect(issues).toContainEqual(
      expect.objectContaining({ path: 'subnets[1].name', code: 'logical_name_collision' }),
    );
  });

  it('a rolling update that would keep maxSize instances in service', () => {
    const spec = exampleSpec('ha-cluster');
    spec.controller.autoScalingGroup.rollingUpdateMinInstancesInService = 3;
    expect(renderIssues(spec)).toEqual([
      expect.objectContaining({
        path: 'controller.autoScalingGroup.rollingUpdateMinInstancesInService',
        code: 'min_in_service_not_below_max',
      }),
    ]);
  });

  it('private subnets with no public subnet for their NAT gateway', () => {
    const spec = exampleSpec('ha-cluster');
    for (const subnet of spec.subnets) subnet.private = true;
    for (const e of spec.apiEndpoints) e.loadBalancer.private = true;
    expect(renderIssues(spec)).toEqual([
      expect.objectContaining({ path: 'subnets', code: 'no_public_subnet_for_nat' }),
    ]);
  });

  it('node labels that could not travel safely to the kubelet', () => {
    const spec = exampleSpec('ha-cluster');
    (spec.worker.nodePools[0] as { nodeLabels: Record<string, string> }).nodeLabels = { tier: 'a b' };
    expect(renderIssues(spec)).toEqual([
      expect.objectContaining({ path: 'worker.nodePools[0].nodeLabels', code: 'unsafe_label' }),
    ]);
  });

  it('a template over 1 MB (even S3 is too small), over 200 outputs, userdata over 16 KB', () => {
    const figures = {
      stackName: 'c-network',
      specPath: 'subnets',
      resources: 10,
      outputs: 5,
      userdataBytes: [],
    };
    expect(templateProblems({ ...figures, bytes: TEMPLATE_URL_MAX_BYTES })).toEqual([]);
    expect(templateProblems({ ...figures, bytes: TEMPLATE_URL_MAX_BYTES + 1 })).toEqual([
      expect.objectContaining({ path: 'subnets', code: 'template_too_large' }),
    ]);
    expect(templateProblems({ ...figures, bytes: 1000, outputs: 201, userdataBytes: [16_385] })).toEqual([
      expect.objectContaining({ code: 'too_many_outputs' }),
      expect.objectContaining({ code: 'userdata_too_large' }),
    ]);
  });

  it('reads an s3URI as bucket and key prefix', () => {
    expect(parseS3Uri('s3://team-bucket')).toEqual({ bucket: 'team-bucket', rootPrefix: '' });
    expect(parseS3Uri('s3://team-bucket/a/b/')).toEqual({ bucket: 'team-bucket', rootPrefix: 'a/b/' });
    expect(parseS3Uri('https://team-bucket/a')).toBeUndefined();
    expect(parseS3Uri('s3://Not_A_Bucket/a')).toBeUndefined();
  });

  it('checkRenderLimits finds nothing wrong with the examples, and the same problems as a render', () => {
    for (const name of EXAMPLES) expect(checkRenderLimits(exampleSpec(name))).toEqual([]);
    const spec = exampleSpec('ha-cluster');
    spec.etcd.count = 125;
    expect(checkRenderLimits(spec)).toEqual(renderIssues(spec));
  });
});

describe('node labels', () => {
  it('label every pool node with its pool and role (the health gate counts Ready nodes by them), over the spec’s own', () => {
    const input = exampleInput('ha-cluster');
    const gpu = input.spec.worker.nodePools.find(
      (p) => p.name === 'gpu',
    ) as ClusterSpec['worker']['nodePools'][number];
    gpu.nodeLabels = { 'example.com/accelerator': 'nvidia', 'kaws.io/node-pool': 'not-gpu' };
    const configs = configsOf(renderCluster(input));
    const gpuFiles = inlineFileTexts(configs['worker-gpu']);
    expect(gpuFiles).toContain('example.com/accelerator=nvidia,kaws.io/node-pool=gpu,kaws.io/role=worker');
    expect(gpuFiles).not.toContain('not-gpu');
    expect(inlineFileTexts(configs['worker-general'])).toContain(
      'kaws.io/node-pool=general,kaws.io/role=worker',
    );
  });
});

/** Every inline (data: URL) file of an Ignition config, decoded and joined. */
function inlineFileTexts(configText: string | undefined): string {
  const config = JSON.parse(configText ?? '{}') as {
    storage?: { files?: Array<{ contents: { source: string } }> };
  };
  return (config.storage?.files ?? [])
    .map((file) => /^data:;base64,(.*)$/.exec(file.contents.source)?.[1])
    .filter((data): data is string => data !== undefined)
    .map((data) => Buffer.from(data, 'base64').toString('utf8'))
    .join('\n');
}
