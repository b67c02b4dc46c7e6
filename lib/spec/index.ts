/**
 * Public API of lib/spec: read a kube-aws cluster.yaml (YAML or JSON, nested or kube-aws 0.9 flat
 * keys), validate it, and normalize it into a ClusterSpec with every default applied. Pure: no I/O,
 * no clock, no randomness. Every other module uses only what this file exports.
 */
import { applyDefaults } from './defaults.ts';
import { foldLegacyKeys } from './legacy.ts';
import { readSpecDocument } from './parse.ts';
import { parsePath } from './paths.ts';
import { allRules, runRules } from './rules/index.ts';
import { serializeSpec } from './serialize.ts';
import { checkShape } from './shape.ts';
import type { ClusterSpec, SpecIssue, ValidationResult } from './types.ts';

export { DEFAULTS } from './defaults.ts';
export {
  apiDnsNames,
  availabilityZones,
  kubernetesServiceIP,
  managedSubnets,
  primaryApiDnsName,
  subnetByName,
  vpcManaged,
} from './derived.ts';
export { DOCUMENT_ERROR_CODES, MAX_ALIAS_COUNT, MAX_NESTING_DEPTH, MAX_SPEC_BYTES } from './parse.ts';
export type * from './types.ts';

/** Thrown by loadClusterSpec when the input is not a valid spec; carries every problem. */
export class SpecValidationError extends Error {
  constructor(
    readonly errors: SpecIssue[],
    readonly warnings: SpecIssue[] = [],
  ) {
    super(`invalid cluster spec: ${errors.map((e) => `${e.path || '(document)'}: ${e.message}`).join('; ')}`);
    this.name = 'SpecValidationError';
  }
}

/** A further check of a valid, normalized spec; reports issues at canonical (nested) paths. */
export type SpecCheck = (spec: ClusterSpec) => SpecIssue[];

export interface ParseOptions {
  /** Default `yaml` (JSON is YAML, so JSON text works too); `json` rejects YAML-only syntax. */
  format?: 'yaml' | 'json';
  /**
   * Checks that need more than lib/spec knows (e.g. lib/render's template limits), run on the
   * normalized spec once every rule passed; their paths are translated to the user's, like the rules'.
   */
  checks?: readonly SpecCheck[];
}

function dedupe(issues: SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.code}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Parses and validates YAML/JSON text. Never throws for bad input: every problem is in the result,
 * each with the path as the user wrote it (`vpcId`, `worker.nodePools[1].name`).
 * @param text the cluster.yaml (string, or UTF-8 bytes)
 * @returns `{valid, errors, warnings, spec}`; `spec` (defaults applied) only when valid
 */
export function validateClusterSpec(text: string | Uint8Array, options: ParseOptions = {}): ValidationResult {
  const read = readSpecDocument(text, options);
  if (!read.ok) return { valid: false, errors: read.issues, warnings: [] };

  const folded = foldLegacyKeys(read.value);
  const shape = checkShape(folded.canonical, folded.paths);
  const errors = [...folded.issues, ...shape.issues];
  if (!shape.input) return { valid: false, errors: dedupe(errors), warnings: [] };

  const spec = applyDefaults(shape.input);
  const invalid = [...folded.invalid, ...shape.invalid];
  const checked = runRules(allRules, spec, shape.input, folded.paths, invalid);
  const allErrors = dedupe([...errors, ...checked.errors]);
  const warnings = dedupe(checked.warnings);
  if (allErrors.length > 0) return { valid: false, errors: allErrors, warnings };
  const checkErrors = (options.checks ?? [])
    .flatMap((check) => check(spec))
    .map((issue) => ({ ...issue, path: folded.paths.userPath(parsePath(issue.path)) }));
  if (checkErrors.length > 0) return { valid: false, errors: dedupe(checkErrors), warnings };
  return { valid: true, errors: [], warnings, spec };
}

/** Like validateClusterSpec, but returns the normalized spec or throws SpecValidationError. */
export function loadClusterSpec(text: string | Uint8Array, options?: ParseOptions): ClusterSpec {
  const result = validateClusterSpec(text, options);
  if (!result.valid || !result.spec) throw new SpecValidationError(result.errors, result.warnings);
  return result.spec;
}

/** Stable serialization of a normalized spec (JSON, keys sorted): same spec, same bytes. */
export function serializeClusterSpec(spec: ClusterSpec): string {
  return serializeSpec(spec);
}
