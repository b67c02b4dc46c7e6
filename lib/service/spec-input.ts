/**
 * From request text to a normalized spec, through lib/spec, sorting its problems into the three kinds a
 * caller handles differently: the text is not a document at all (malformed), it is too large, or it is a
 * document that is not a valid spec (every problem with its path).
 */
import { checkRenderLimits } from '../render/index.ts';
import { MAX_SPEC_BYTES, validateClusterSpec } from '../spec/index.ts';
import type { ClusterSpec, SpecIssue, ValidationResult } from '../spec/types.ts';
import { InvalidSpecError, MalformedSpecError, SpecTooLargeError } from './errors.ts';

export type SpecFormat = 'yaml' | 'json';

/** Largest spec text accepted, as lib/spec enforces it. */
export const MAX_SPEC_TEXT_BYTES = MAX_SPEC_BYTES;

/** lib/spec's codes for text that is not a single well-formed YAML/JSON document. */
const MALFORMED_CODES = new Set([
  'syntax_error',
  'invalid_utf8',
  'invalid_text',
  'invalid_input',
  'binary_input',
  'multiple_documents',
  'empty_document',
  'too_deep',
  'too_many_aliases',
  'duplicate_key',
  'non_string_key',
]);

/**
 * Parses and validates, as `kaws validate` does: the stacks are rendered (without keys) so template
 * limits are refused before anything is created. Never throws for bad input (problems are in the result).
 */
export function validateSpecText(text: string | Uint8Array, format: SpecFormat): ValidationResult {
  return validateClusterSpec(text, { format, checks: [checkRenderLimits] });
}

/**
 * The normalized spec, or a typed refusal: SpecTooLargeError, MalformedSpecError (not a document),
 * InvalidSpecError (every problem with its path, and the warnings).
 */
export function readSpec(text: string | Uint8Array, format: SpecFormat): ClusterSpec {
  const result = validateSpecText(text, format);
  if (result.valid && result.spec) return result.spec;
  throw refusal(result.errors, result.warnings, text);
}

function refusal(errors: SpecIssue[], warnings: SpecIssue[], text: string | Uint8Array): Error {
  if (errors.some((e) => e.code === 'too_large')) {
    const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
    return new SpecTooLargeError(bytes, MAX_SPEC_TEXT_BYTES);
  }
  if (errors.length > 0 && errors.every((e) => MALFORMED_CODES.has(e.code)))
    return new MalformedSpecError(errors);
  return new InvalidSpecError(errors, warnings);
}

/** A spec posted for an existing cluster must name that cluster. */
export function assertSpecNames(spec: ClusterSpec, clusterName: string): void {
  if (spec.clusterName !== clusterName) {
    throw new InvalidSpecError([
      {
        path: 'clusterName',
        code: 'cluster_name_mismatch',
        message: `clusterName is "${spec.clusterName}" but the request is for cluster "${clusterName}" (a cluster cannot be renamed)`,
      },
    ]);
  }
}
