/**
 * Property: whatever the input (YAML-ish noise, random JSON, mutated real specs, raw bytes), the
 * parser and validator only ever return a well-formed result, and loadClusterSpec only ever returns a
 * spec or throws SpecValidationError. Valid results also re-validate to the same bytes. 10,000 cases.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  loadClusterSpec,
  type SpecIssue,
  SpecValidationError,
  serializeClusterSpec,
  type ValidationResult,
  validateClusterSpec,
} from '../../lib/spec/index.ts';
import { BASE, FLAT_BASE } from './fixtures.ts';

function assertIssue(issue: SpecIssue): void {
  if (typeof issue.path !== 'string' || typeof issue.code !== 'string' || !issue.code)
    throw new Error(`bad issue ${JSON.stringify(issue)}`);
  if (typeof issue.message !== 'string' || issue.message.length === 0)
    throw new Error(`empty message ${JSON.stringify(issue)}`);
}

/** The contract every caller relies on; throws (failing the property) when it is broken. */
function assertWellFormed(input: string | Uint8Array): ValidationResult {
  const result = validateClusterSpec(input);
  if (typeof result.valid !== 'boolean' || !Array.isArray(result.errors) || !Array.isArray(result.warnings)) {
    throw new Error('malformed result');
  }
  result.errors.forEach(assertIssue);
  result.warnings.forEach(assertIssue);
  if (result.valid !== (result.errors.length === 0) || result.valid !== (result.spec !== undefined)) {
    throw new Error(`valid=${result.valid} with ${result.errors.length} errors`);
  }
  if (!result.valid) {
    try {
      loadClusterSpec(input);
    } catch (error) {
      if (error instanceof SpecValidationError && error.errors.length === result.errors.length) return result;
      throw error;
    }
    throw new Error('loadClusterSpec accepted what validateClusterSpec rejected');
  }
  if (result.spec) {
    const text = serializeClusterSpec(result.spec);
    if (serializeClusterSpec(loadClusterSpec(text)) !== text)
      throw new Error('normalized spec does not re-validate unchanged');
  }
  return result;
}

const KEYS = [
  'clusterName',
  'region',
  'kmsKeyArn',
  'keyName',
  'availabilityZone',
  'externalDNSName',
  'vpcId',
  'vpcCIDR',
  'instanceCIDR',
  'controllerCount',
  'workerCount',
  'etcdCount',
  'createRecordSet',
  'hostedZoneId',
  'recordSetTTL',
  'subnets',
  'apiEndpoints',
  'controller',
  'etcd',
  'worker',
  'nodePools',
  'name',
  'count',
  'loadBalancer',
  'hostedZone',
  'id',
  'cidr',
  'vpc',
  'stackTags',
  'autoScalingGroup',
  'minSize',
  'maxSize',
  'rootVolume',
  'size',
  'type',
  'iops',
  'taints',
  'nodeLabels',
  '__proto__',
  'constructor',
  'prototype',
  'experimental',
  '<<',
];
const TOKENS = [
  ...KEYS.map((k) => `${k}: `),
  ': ',
  '- ',
  '\n',
  '\n  ',
  '\n    ',
  '  ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&a ',
  '*a',
  '"',
  "'",
  '#',
  '!!str ',
  '!!binary ',
  '!foo ',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '\t',
  '? ',
  '|\n',
  '>-\n',
  '10.0.0.0/16',
  'us-east-1',
  'us-east-1a',
  'vpc-0a1b2c3d',
  'true',
  'null',
  '~',
  '0x1F',
  '1e309',
  '-1',
  '3',
  '""',
  '\u00e9',
  '\uFEFF',
];
const examples = [
  'seed-cluster.yaml',
  'seed-cluster-valid.yaml',
  'ha-cluster.yaml',
  'invalid-overlapping-cidrs.yaml',
].map((name) => parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8')) as unknown);
const bases: unknown[] = [...examples, BASE, FLAT_BASE];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const jsonLeaf = fc.oneof(
  fc.constantFrom<Json>(
    '',
    null,
    true,
    false,
    0,
    -1,
    3,
    1.5,
    '10.0.0.0/16',
    'gp3',
    'io1',
    'Z0123456789ABC',
    'x'.repeat(300),
  ),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
);
const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), tie('value'), {
      maxKeys: 5,
    }),
  ),
})).value;

/** Every path (list of keys/indexes) to a value inside `root`. */
function paths(root: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(prefix);
  if (Array.isArray(root)) {
    root.forEach((item, i) => {
      paths(item, [...prefix, i], out);
    });
  } else if (root && typeof root === 'object') {
    for (const [k, v] of Object.entries(root)) paths(v, [...prefix, k], out);
  }
  return out;
}

type Mutation = { op: 'set' | 'delete' | 'add'; at: number; key: string; value: Json };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('set', 'delete', 'add'),
  at: fc.nat(),
  key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })),
  value: json,
});

function mutate(base: unknown, mutations: Mutation[]): unknown {
  let doc = structuredClone(base);
  for (const { op, at, key, value } of mutations) {
    const all = paths(doc);
    const path = all[at % all.length]!;
    if (path.length === 0) {
      if (op === 'set') doc = value;
      continue;
    }
    let parent = doc as Record<string | number, unknown>;
    for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
    const leaf = path.at(-1)!;
    if (op === 'set') parent[leaf] = value;
    else if (op === 'delete') delete parent[leaf];
    else if (parent[leaf] && typeof parent[leaf] === 'object' && !Array.isArray(parent[leaf])) {
      Object.defineProperty(parent[leaf], key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return doc;
}

const encode = (doc: unknown, asJson: boolean) => (asJson ? (JSON.stringify(doc) ?? 'null') : stringify(doc));

describe('property: the validator only ever returns a result', () => {
  it('YAML-ish token soup (4,000 cases)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })), { maxLength: 60 }),
        (tokens) => {
          assertWellFormed(tokens.join(''));
        },
      ),
      { numRuns: 4_000 },
    );
  });

  it('random JSON documents (2,500 cases)', () => {
    fc.assert(
      fc.property(json, (doc) => {
        assertWellFormed(JSON.stringify(doc));
      }),
      { numRuns: 2_500 },
    );
  });

  it('mutations of the examples and test specs, as YAML and JSON (2,500 cases)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(mutation, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (base, mutations, asJson) => {
          assertWellFormed(encode(mutate(base, mutations), asJson));
        },
      ),
      { numRuns: 2_500 },
    );
  });

  it('raw bytes, alone and after a valid prefix (1,000 cases)', () => {
    const prefix = Buffer.from(stringify(BASE));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, withPrefix) => {
        assertWellFormed(withPrefix ? Buffer.concat([prefix, bytes]) : bytes);
      }),
      { numRuns: 1_000 },
    );
  });
});
