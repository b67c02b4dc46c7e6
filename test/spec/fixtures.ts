/** Builders for spec tests: a valid nested base spec, patched per test and fed to the real validator as YAML. */
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { type SpecIssue, type ValidationResult, validateClusterSpec } from '../../lib/spec/index.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
export type Patch = { [key: string]: Json | undefined };

/** A valid, warning-free nested spec: 2 AZs, 2 controllers, 3 etcd members, one managed record set. */
export const BASE: Patch = {
  clusterName: 'demo',
  region: 'us-east-1',
  kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/0d2b7c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e',
  keyName: 'ops',
  subnets: [
    { name: 'public-a', availabilityZone: 'us-east-1a', instanceCIDR: '10.0.0.0/24' },
    { name: 'public-b', availabilityZone: 'us-east-1b', instanceCIDR: '10.0.1.0/24' },
  ],
  apiEndpoints: [
    {
      name: 'default',
      dnsName: 'api.demo.example.com',
      loadBalancer: { hostedZone: { id: 'Z0123456789ABC' } },
    },
  ],
  controller: { count: 2 },
  etcd: { count: 3 },
};

/** The spec kube-aws 0.9 users wrote: flat keys, one AZ. Valid (with the usual single-AZ warnings). */
export const FLAT_BASE: Patch = {
  clusterName: 'demo',
  region: 'us-east-1',
  kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/0d2b7c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e',
  keyName: 'ops',
  availabilityZone: 'us-east-1a',
  externalDNSName: 'api.demo.example.com',
};

const isObject = (value: unknown): value is Patch =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Deep merge; `undefined` deletes a key; arrays are replaced whole. */
export function merge(base: Patch, patch: Patch): Patch {
  const out: Patch = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = merge(out[key] as Patch, value);
    else out[key] = value;
  }
  return out;
}

export const yamlOf = (patch: Patch, base: Patch = BASE): string => stringify(merge(base, patch));

/** Validates BASE (or `base`) with `patch` applied, as YAML text. */
export const check = (patch: Patch = {}, base: Patch = BASE): ValidationResult =>
  validateClusterSpec(yamlOf(patch, base));

const summary = (issues: SpecIssue[]) => issues.map(({ path, code }) => ({ path, code }));

/** The result has exactly these errors (path and code), nothing else. */
export function expectErrors(
  result: ValidationResult,
  ...expected: Array<{ path: string; code: string }>
): void {
  expect(summary(result.errors)).toEqual(expected);
  expect(result.valid).toBe(false);
  expect(result.spec).toBeUndefined();
}

/** The result is valid (warnings allowed) and returns the spec. */
export function expectValid(result: ValidationResult): void {
  expect(summary(result.errors)).toEqual([]);
  expect(result.valid).toBe(true);
  expect(result.spec).toBeDefined();
}

export const warningCodes = (result: ValidationResult) => result.warnings.map((w) => `${w.path}:${w.code}`);
