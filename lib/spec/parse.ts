/**
 * Hardened YAML/JSON reading: turns untrusted text into a plain object tree, or into issues.
 * Every hostile-input guard lives here (size, encoding, binary, nesting, aliases, keys), so the
 * layers above only ever see a mapping of plain JSON-like values.
 */
import { Composer, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, Parser } from 'yaml';
import { formatPath, type PathSegment } from './paths.ts';
import type { SpecIssue } from './types.ts';

/** Largest accepted body: a real cluster.yaml is a few KiB. */
export const MAX_SPEC_BYTES = 256 * 1024;
/** Deepest accepted nesting (a cluster.yaml needs about 6 levels). */
export const MAX_NESTING_DEPTH = 64;
/** YAML aliases accepted per document; blocks "billion laughs" expansion. */
export const MAX_ALIAS_COUNT = 100;
/** Keys that could reach Object.prototype in naive consumers. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Stop collecting YAML syntax errors after this many: one broken line can cause hundreds. */
const MAX_SYNTAX_ERRORS = 20;

/**
 * Codes of problems with the text itself (not a single well-formed YAML/JSON mapping), as opposed to
 * problems with its content. Callers that answer differently (API: 400 vs 422) use this set.
 */
export const DOCUMENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'invalid_input',
  'too_large',
  'invalid_utf8',
  'invalid_text',
  'binary_input',
  'too_deep',
  'syntax_error',
  'multiple_documents',
  'empty_document',
  'not_a_mapping',
  'non_string_key',
  'forbidden_key',
  'duplicate_key',
  'too_many_aliases',
]);

export type ParseOutcome = { ok: true; value: Record<string, unknown> } | { ok: false; issues: SpecIssue[] };

export interface ReadOptions {
  format?: 'yaml' | 'json';
}

const fail = (code: string, message: string, path = ''): ParseOutcome => ({
  ok: false,
  issues: [{ path, code, message }],
});

/** Decodes bytes as strict UTF-8 and applies the size limit before any parsing work. */
function decode(input: string | Uint8Array): { text: string } | { issue: ParseOutcome } {
  if (typeof input === 'string') {
    // A UTF-16 unit is at least one UTF-8 byte: cheap rejection before measuring exactly.
    if (input.length > MAX_SPEC_BYTES || new TextEncoder().encode(input).length > MAX_SPEC_BYTES) {
      return { issue: fail('too_large', `the spec is larger than ${MAX_SPEC_BYTES / 1024} KiB`) };
    }
    if (LONE_SURROGATE.test(input)) {
      return {
        issue: fail('invalid_text', 'the spec contains an unpaired UTF-16 surrogate (not valid text)'),
      };
    }
    return { text: input };
  }
  if (input.byteLength > MAX_SPEC_BYTES) {
    return { issue: fail('too_large', `the spec is larger than ${MAX_SPEC_BYTES / 1024} KiB`) };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(input) };
  } catch {
    return { issue: fail('invalid_utf8', 'the spec is not valid UTF-8 text (is it a binary file?)') };
  }
}

/** Index of the first C0 control character other than tab/LF/CR, or DEL; -1 if none (text never has them). */
function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return i;
  }
  return -1;
}

function lineColumn(lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(offset);
  return `line ${line}, column ${col}`;
}

/** Maximum nesting of a concrete syntax tree, computed without recursion. */
function cstDepth(tokens: readonly unknown[]): number {
  let max = 0;
  const stack: Array<[unknown, number]> = tokens.map((token) => [token, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    if (typeof token !== 'object' || token === null) continue;
    if (depth > max) max = depth;
    const node = token as {
      type?: string;
      value?: unknown;
      items?: Array<{ key?: unknown; value?: unknown }>;
    };
    if (node.type === 'document') stack.push([node.value, depth]);
    else if (node.type === 'block-map' || node.type === 'block-seq' || node.type === 'flow-collection') {
      for (const item of node.items ?? []) {
        if (item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
  return max;
}

function describeKey(node: unknown): string {
  if (isScalar(node)) return JSON.stringify(node.value) ?? String(node.value);
  if (isAlias(node)) return `*${node.source}`;
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a sequence';
  return 'an empty key';
}

/**
 * Checks every mapping's keys (strings only, unique, not prototype-polluting) by walking the
 * YAML AST iteratively. Paths are reported as the user wrote them.
 */
function checkKeys(root: Node, lines: LineCounter): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const stack: Array<[Node, PathSegment[]]> = [[root, []]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (isSeq(node)) {
      node.items.forEach((item, index) => {
        if (isMap(item) || isSeq(item)) stack.push([item, [...path, index]]);
      });
      continue;
    }
    if (!isMap(node)) continue;
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      const at = isScalar(pair.key) && pair.key.range ? lineColumn(lines, pair.key.range[0]) : undefined;
      const where = at ? ` (${at})` : '';
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') {
        issues.push({
          path: formatPath(path),
          code: 'non_string_key',
          message: `mapping keys must be strings; found ${describeKey(pair.key)}${where}`,
        });
        continue;
      }
      const key = pair.key.value;
      const keyPath = [...path, key];
      if (FORBIDDEN_KEYS.has(key)) {
        issues.push({
          path: formatPath(keyPath),
          code: 'forbidden_key',
          message: `key "${key}" is not allowed${where}`,
        });
        continue;
      }
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push({
          path: formatPath(keyPath),
          code: 'duplicate_key',
          message: `key "${key}" appears more than once (${lineColumn(lines, first)}${at ? ` and ${at}` : ''})`,
        });
        continue;
      }
      seen.set(key, pair.key.range?.[0] ?? 0);
      if (isMap(pair.value) || isSeq(pair.value)) stack.push([pair.value, keyPath]);
    }
  }
  return issues;
}

/** Depth of a plain JS tree (after alias expansion), iteratively; stops early past the limit. */
function valueDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (depth > limit) return true;
    if (typeof current !== 'object' || current === null) continue;
    for (const child of Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Reads YAML (or JSON, which is YAML) text into a plain object. Never throws for bad input.
 * @param input text or raw bytes (UTF-8)
 */
export function readSpecDocument(input: string | Uint8Array, options: ReadOptions = {}): ParseOutcome {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    return fail('invalid_input', 'the spec must be text (a string) or UTF-8 bytes');
  }
  const decoded = decode(input);
  if ('issue' in decoded) return decoded.issue;
  const text = decoded.text.startsWith('\uFEFF') ? decoded.text.slice(1) : decoded.text;

  const control = firstControlCharacter(text);
  if (control !== -1) {
    const code = text.charCodeAt(control).toString(16).padStart(2, '0');
    const lines = new LineCounter();
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    return fail(
      'binary_input',
      `the spec contains control character 0x${code} at ${lineColumn(lines, control)} (is it a binary file?)`,
    );
  }

  const lines = new LineCounter();
  // The CST parser is iterative; composing is not, so nesting is measured before composing.
  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  if (cstDepth(tokens) > MAX_NESTING_DEPTH) {
    return fail('too_deep', `the spec is nested more than ${MAX_NESTING_DEPTH} levels deep`);
  }

  const composer = new Composer({
    version: '1.2',
    schema: options.format === 'json' ? 'json' : 'core',
    uniqueKeys: false, // checked in checkKeys, which knows the path
    strict: true,
  });
  const documents = Array.from(composer.compose(tokens, true, text.length));
  if (documents.length > 1) {
    return fail('multiple_documents', 'the spec must be a single YAML document (found a "---" separator)');
  }
  const document = documents[0];
  if (!document) return fail('empty_document', 'the spec is empty');

  if (document.errors.length > 0) {
    return {
      ok: false,
      issues: document.errors.slice(0, MAX_SYNTAX_ERRORS).map((error) => ({
        path: '',
        code: 'syntax_error',
        message: `${options.format === 'json' ? 'JSON' : 'YAML'} syntax error at ${lineColumn(lines, error.pos[0])}: ${error.message.split('\n')[0]}`,
      })),
    };
  }
  const root = document.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) {
    return fail('empty_document', 'the spec is empty');
  }
  if (!isMap(root)) {
    return fail('not_a_mapping', 'the spec must be a mapping of keys to values (like clusterName: ...)');
  }
  const keyIssues = checkKeys(root, lines);
  if (keyIssues.length > 0) return { ok: false, issues: keyIssues };

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError for alias bombs and unresolvable aliases.
    const reason = error instanceof Error ? error.message : String(error);
    return fail(
      'too_many_aliases',
      `the spec's YAML aliases expand too much or cannot be resolved: ${reason}`,
    );
  }
  if (valueDepthExceeds(value, MAX_NESTING_DEPTH)) {
    return fail(
      'too_deep',
      `the spec is nested more than ${MAX_NESTING_DEPTH} levels deep once aliases are expanded`,
    );
  }
  return { ok: true, value: value as Record<string, unknown> };
}
