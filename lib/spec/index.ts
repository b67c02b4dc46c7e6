/**
 * Public API of lib/spec. PLACEHOLDER signatures, being implemented (issue 2): every other module
 * codes against these and never reaches into lib/spec's internals.
 */
import type { ClusterSpec, SpecIssue, ValidationResult } from './types.ts';

export type * from './types.ts';

/** Thrown by loadClusterSpec when the input is not a valid spec; carries every problem. */
export class SpecValidationError extends Error {
  constructor(
    readonly errors: SpecIssue[],
    readonly warnings: SpecIssue[] = [],
  ) {
    super(`invalid cluster spec: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    this.name = 'SpecValidationError';
  }
}

export interface ParseOptions {
  /** Default: detect (JSON is YAML; a leading `{` is parsed as JSON for clearer errors). */
  format?: 'yaml' | 'json';
}

/** Parses and validates YAML/JSON text. Never throws for bad input: problems are in the result. */
export function validateClusterSpec(_text: string | Uint8Array, _options?: ParseOptions): ValidationResult {
  throw new Error('lib/spec: not implemented yet');
}

/** Like validateClusterSpec, but returns the normalized spec or throws SpecValidationError. */
export function loadClusterSpec(text: string | Uint8Array, options?: ParseOptions): ClusterSpec {
  const result = validateClusterSpec(text, options);
  if (!result.valid || !result.spec) throw new SpecValidationError(result.errors, result.warnings);
  return result.spec;
}

/** Stable serialization of a normalized spec: same spec, same bytes. */
export function serializeClusterSpec(_spec: ClusterSpec): string {
  throw new Error('lib/spec: not implemented yet');
}
