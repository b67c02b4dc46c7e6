/**
 * Test fixtures for lib/tls: the normalized spec of examples/ha-cluster.yaml, and deterministic
 * dependencies (fixed clock, seeded serials, a key pool generated once per test file) so that two
 * renders with the same inputs can be compared byte for byte.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadClusterSpec } from '../../lib/spec/index.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';
import { credentialFilesOf, pkiRequestFromSpec, renderTlsAssets } from '../../lib/tls/index.ts';
import { nodeKeyGenerator, systemTlsDependencies } from '../../lib/tls/system.ts';
import type { KeyGenerator, KeyRequest, RsaKeyBits, TlsDependencies } from '../../lib/tls/types.ts';

/** examples/ha-cluster.yaml as lib/spec normalizes it, hand-built: used while lib/spec cannot load it. */
export function handBuiltHaClusterSpec(): ClusterSpec {
  const loadBalancer = {
    type: 'network' as const,
    private: false,
    subnets: ['public-a', 'public-b', 'public-c'],
    hostedZone: { id: 'Z0123456789ABCDEFGHIJ' },
    recordSetManaged: true,
    recordSetTTL: 60,
    apiAccessAllowedSourceCIDRs: ['0.0.0.0/0'],
  };
  const asg = (min: number, max: number, inService: number) => ({
    minSize: min,
    maxSize: max,
    rollingUpdateMinInstancesInService: inService,
  });
  return {
    clusterName: 'prod-east',
    region: 'us-east-1',
    keyName: 'ops',
    sshAuthorizedKeys: [],
    kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/0d2b7c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e',
    releaseChannel: 'stable',
    kubernetesVersion: 'v1.31.2',
    vpc: { cidr: '10.0.0.0/16' },
    internetGateway: {},
    mapPublicIPs: true,
    subnets: [
      { name: 'public-a', availabilityZone: 'us-east-1a', instanceCIDR: '10.0.0.0/20', private: false },
      { name: 'public-b', availabilityZone: 'us-east-1b', instanceCIDR: '10.0.16.0/20', private: false },
      { name: 'public-c', availabilityZone: 'us-east-1c', instanceCIDR: '10.0.32.0/20', private: false },
    ],
    serviceCIDR: '10.3.0.0/24',
    podCIDR: '10.2.0.0/16',
    dnsServiceIP: '10.3.0.10',
    apiEndpoints: [{ name: 'default', dnsName: 'api.prod-east.example.com', loadBalancer }],
    controller: {
      count: 3,
      instanceType: 'm5.large',
      rootVolume: { size: 50, type: 'gp3' },
      autoScalingGroup: asg(3, 3, 2),
      subnets: ['public-a', 'public-b', 'public-c'],
    },
    etcd: {
      count: 3,
      instanceType: 'm5.large',
      rootVolume: { size: 30, type: 'gp3' },
      dataVolume: { size: 50, type: 'gp3', encrypted: true },
      version: '3.5.16',
      subnets: ['public-a', 'public-b', 'public-c'],
    },
    worker: {
      nodePools: [
        {
          name: 'general',
          count: 3,
          instanceType: 'm5.xlarge',
          rootVolume: { size: 30, type: 'gp3' },
          autoScalingGroup: asg(3, 6, 2),
          subnets: ['public-a', 'public-b', 'public-c'],
          nodeLabels: {},
          taints: [],
        },
      ],
    },
    tlsCADurationDays: 3650,
    tlsCertDurationDays: 365,
    stackTags: { team: 'platform', environment: 'production' },
  };
}

/**
 * The normalized spec of an example file: lib/spec's loadClusterSpec when it is implemented, else
 * (ha-cluster.yaml only) the hand-built copy above.
 */
export async function exampleSpec(name: 'ha-cluster.yaml'): Promise<ClusterSpec> {
  const text = await readFile(new URL(`../../examples/${name}`, import.meta.url), 'utf8');
  try {
    return loadClusterSpec(text);
  } catch (error) {
    if (error instanceof Error && error.message.includes('not implemented')) return handBuiltHaClusterSpec();
    throw error;
  }
}

/** Random-looking but reproducible bytes: SHA-256 in counter mode over a seed. */
export function seededRandomBytes(seed: string): (size: number) => Uint8Array {
  let counter = 0;
  return (size) => {
    const out = new Uint8Array(size);
    for (let offset = 0; offset < size; offset += 32) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, size - offset)), offset);
    }
    return out;
  };
}

/**
 * Real RSA keys, generated lazily once per (purpose, bits, generation) and then handed out again, so
 * that a test can render twice with "the same" key generator. `nextGeneration()` makes later requests
 * get fresh keys, as a real generator would.
 */
export class KeyPool {
  private readonly keys = new Map<string, Promise<string>>();
  private generation = 0;
  /** Every request made, in order: tests assert which keys a render asked for. */
  readonly requests: KeyRequest[] = [];

  readonly generateKey: KeyGenerator = (request) => {
    this.requests.push(request);
    const id = `${request.purpose}/${request.bits}/${this.generation}`;
    let key = this.keys.get(id);
    if (!key) {
      key = nodeKeyGenerator(request);
      this.keys.set(id, key);
    }
    return key;
  };

  nextGeneration(): void {
    this.generation++;
  }
}

export function testDependencies(pool: KeyPool, now: Date, seed = 'serials'): TlsDependencies {
  return { now, randomBytes: seededRandomBytes(seed), generateKey: pool.generateKey };
}

export const RENDER_TIME = new Date('2025-06-01T12:00:00.000Z');

export const DAY_MS = 24 * 60 * 60 * 1000;

/** A key of `bits` straight from Node, for certificates built by hand in a test. */
export function freshKey(bits: RsaKeyBits = 2048): Promise<string> {
  return nodeKeyGenerator({ purpose: 'admin', bits });
}

/**
 * Renders the example's full asset set with the real clock, randomness and key generator (as the CLI
 * does) and writes it to `dir` under kube-aws's file names.
 */
export async function writeRealCredentials(dir: string, clusterName = 'prod-east'): Promise<void> {
  const spec = await exampleSpec('ha-cluster.yaml');
  const request = pkiRequestFromSpec({ ...spec, clusterName });
  const { assets } = await renderTlsAssets({ request, generateCa: true }, systemTlsDependencies(new Date()));
  for (const file of credentialFilesOf(assets)) {
    await writeFile(join(dir, file.name), file.contents, { mode: file.secret ? 0o600 : 0o644 });
  }
}
