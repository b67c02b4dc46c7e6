/** KMS key region, SSH access, derived name lengths, certificate lifetimes, stack tags. */
import { describe, expect, it } from 'vitest';
import { iamRoleNames } from '../../lib/render/naming.ts';
import { check, expectErrors, expectValid } from './fixtures.ts';

describe('identity rules', () => {
  it('the KMS key is in the spec region', () => {
    const result = check({
      kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/0d2b7c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e',
    });
    expectErrors(result, { path: 'kmsKeyArn', code: 'kms_key_region_mismatch' });
    expect(result.errors[0]!.message).toContain('eu-west-1');
    expectValid(check({ kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:alias/kaws' }));
    expectValid(
      check({ kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef' }),
    );
  });

  it('the KMS key ARN partition matches the region', () => {
    expectErrors(
      check({
        region: 'cn-north-1',
        subnets: [
          { name: 'a', availabilityZone: 'cn-north-1a', instanceCIDR: '10.0.0.0/24' },
          { name: 'b', availabilityZone: 'cn-north-1b', instanceCIDR: '10.0.1.0/24' },
        ],
        kmsKeyArn: 'arn:aws:kms:cn-north-1:123456789012:key/0d2b7c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e',
      }),
      { path: 'kmsKeyArn', code: 'kms_key_partition_mismatch' },
    );
  });

  it('keyName or sshAuthorizedKeys', () => {
    expectErrors(check({ keyName: undefined }), { path: 'keyName', code: 'ssh_access_required' });
    expectValid(
      check({ keyName: undefined, sshAuthorizedKeys: ['ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== me'] }),
    );
  });

  it('IAM role names kaws derives fit in 64 characters', () => {
    const pools = { worker: { nodePools: [{ name: 'a' }] } };
    const fixed = Math.max(
      iamRoleNames.controller('', 'us-east-1').length,
      iamRoleNames.nodePool('', 'us-east-1', 'a').length,
    );
    const longest = 'a'.repeat(64 - fixed);
    expectValid(check({ clusterName: longest, ...pools }));
    const result = check({ clusterName: `${longest}b`, ...pools });
    expectErrors(result, { path: 'clusterName', code: 'cluster_name_too_long' });
    expect(result.errors[0]!.message).toContain(`at most ${longest.length}`);
  });

  it('node pool names leave room for their IAM role name', () => {
    const room = 64 - iamRoleNames.nodePool('demo', 'us-east-1', '').length;
    expectValid(check({ worker: { nodePools: [{ name: 'p'.repeat(room) }] } }));
    expectErrors(check({ worker: { nodePools: [{ name: 'p'.repeat(room + 1) }] } }), {
      path: 'worker.nodePools[0].name',
      code: 'node_pool_name_too_long',
    });
  });

  it('a cluster name is a DNS label (at most 63 characters)', () => {
    expectErrors(check({ clusterName: 'c'.repeat(64) }), {
      path: 'clusterName',
      code: 'cluster_name_too_long',
    });
  });

  it('certificates do not outlive their CA', () => {
    expectErrors(check({ tlsCADurationDays: 365, tlsCertDurationDays: 730 }), {
      path: 'tlsCertDurationDays',
      code: 'cert_outlives_ca',
    });
    expectValid(check({ tlsCADurationDays: 730, tlsCertDurationDays: 730 }));
  });

  it('stack tags: at most 50, no reserved prefixes', () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v']));
    expectErrors(check({ stackTags: tags }), { path: 'stackTags', code: 'too_many_stack_tags' });
    expectErrors(check({ stackTags: { 'aws:owner': 'me' } }), {
      path: 'stackTags["aws:owner"]',
      code: 'invalid_stack_tag',
    });
    expectErrors(check({ stackTags: { team: 'x'.repeat(257) } }), {
      path: 'stackTags.team',
      code: 'invalid_stack_tag',
    });
    expectValid(check({ stackTags: { ...Object.fromEntries(Object.entries(tags).slice(0, 50)) } }));
  });
});
