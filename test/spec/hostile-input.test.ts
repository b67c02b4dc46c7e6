/** Hostile or broken input: always a clear error with a code, never a crash, a hang or a partial spec. */
import { describe, expect, it } from 'vitest';
import {
  DOCUMENT_ERROR_CODES,
  MAX_NESTING_DEPTH,
  MAX_SPEC_BYTES,
  validateClusterSpec,
} from '../../lib/spec/index.ts';
import { BASE, expectValid, yamlOf } from './fixtures.ts';

const codes = (text: string | Uint8Array) =>
  validateClusterSpec(text).errors.map((e) => `${e.path}:${e.code}`);

describe('size', () => {
  it('rejects a body over 256 KiB, as text and as bytes', () => {
    const big = `${yamlOf({})}# ${'x'.repeat(MAX_SPEC_BYTES)}\n`;
    expect(codes(big)).toEqual([':too_large']);
    expect(codes(Buffer.from(big))).toEqual([':too_large']);
  });

  it('measures UTF-8 bytes, not characters', () => {
    const padding = '€'.repeat(Math.ceil(MAX_SPEC_BYTES / 3)); // 3 bytes each, fewer than MAX characters
    expect(codes(`${yamlOf({})}# ${padding}\n`)).toEqual([':too_large']);
  });

  it('accepts a body just under the limit', () => {
    const text = yamlOf({});
    const padded = `${text}# ${'x'.repeat(MAX_SPEC_BYTES - text.length - 10)}\n`;
    expectValid(validateClusterSpec(padded));
  });
});

describe('encoding and binary garbage', () => {
  it('rejects invalid UTF-8 bytes', () => {
    expect(codes(new Uint8Array([0x63, 0x6c, 0xff, 0xfe, 0x3a]))).toEqual([':invalid_utf8']);
  });

  it('rejects NUL and other control characters, saying where', () => {
    const result = validateClusterSpec('clusterName: demo\nregion: us-\u0000east-1\n');
    expect(result.errors).toEqual([
      { path: '', code: 'binary_input', message: expect.stringContaining('0x00 at line 2, column 12') },
    ]);
  });

  it('rejects random binary (a gzip header) as not text', () => {
    const gzip = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48]);
    expect(validateClusterSpec(gzip).valid).toBe(false);
    expect(codes(gzip)[0]).toMatch(/^:(invalid_utf8|binary_input)$/);
  });

  it('rejects unpaired surrogates in string input', () => {
    expect(codes('clusterName: "\uD800"\n')).toEqual([':invalid_text']);
  });

  it('accepts a UTF-8 byte order mark', () => {
    expectValid(
      validateClusterSpec(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(yamlOf({}))])),
    );
  });

  it('rejects input that is neither a string nor bytes', () => {
    expect(codes(42 as unknown as string)).toEqual([':invalid_input']);
  });
});

describe('YAML structure', () => {
  it('rejects an alias bomb (billion laughs) quickly', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [name, previous] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
      ['g', 'f'],
      ['h', 'g'],
    ]) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const started = performance.now();
    expect(codes(lines.join('\n'))).toEqual([':too_many_aliases']);
    expect(performance.now() - started).toBeLessThan(5_000); // a hang guard, not a benchmark
  });

  it('still allows a few ordinary aliases', () => {
    const text = `${yamlOf({ stackTags: undefined })}stackTags: &tags { team: platform }\nworker:\n  nodePools:\n    - name: a\n      nodeLabels: *tags\n`;
    const result = validateClusterSpec(text);
    expectValid(result);
    expect(result.spec!.worker.nodePools[0]!.nodeLabels).toEqual({ team: 'platform' });
  });

  it('rejects duplicate keys with their path and both lines', () => {
    const result = validateClusterSpec(`${yamlOf({})}etcd:\n  count: 3\n  count: 5\n`);
    expect(result.errors.map((e) => `${e.path}:${e.code}`)).toContain('etcd:duplicate_key');
    const nested = validateClusterSpec('clusterName: a\ncontroller:\n  count: 1\n  count: 2\n');
    expect(nested.errors).toEqual([
      { path: 'controller.count', code: 'duplicate_key', message: expect.stringMatching(/line 3.*line 4/) },
    ]);
  });

  it('rejects non-string keys', () => {
    expect(codes('clusterName: a\n1: one\n')).toEqual([':non_string_key']);
    expect(codes('clusterName: a\ncontroller:\n  true: x\n')).toEqual(['controller:non_string_key']);
    expect(codes('? [a, b]\n: c\n')).toEqual([':non_string_key']);
    expect(codes('clusterName: a\nstackTags:\n  null: x\n')).toEqual(['stackTags:non_string_key']);
  });

  it('rejects __proto__, constructor and prototype keys anywhere, without polluting anything', () => {
    expect(codes('__proto__: { polluted: true }\nclusterName: a\n')).toEqual(['__proto__:forbidden_key']);
    expect(codes('{"clusterName": "a", "stackTags": {"constructor": "x"}}')).toEqual([
      'stackTags.constructor:forbidden_key',
    ]);
    expect(codes('worker:\n  nodePools:\n    - prototype: 1\n')).toEqual([
      'worker.nodePools[0].prototype:forbidden_key',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects deep nesting, flow and block, without overflowing the stack', () => {
    const depth = 120_000; // 240 KiB of brackets: under the size limit
    expect(codes(`a: ${'['.repeat(depth)}${']'.repeat(depth)}`)).toEqual([':too_deep']);
    expect(codes(`a: ${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}`)).toEqual([':too_deep']);
    expect(codes(`${'- '.repeat(100_000)}x`)).toEqual([':too_deep']);
    expect(codes(`a: ${'['.repeat(MAX_NESTING_DEPTH + 1)}${']'.repeat(MAX_NESTING_DEPTH + 1)}`)).toEqual([
      ':too_deep',
    ]);
  });

  it('rejects nesting that only gets deep once aliases are expanded', () => {
    const levels = ['x0: &x0 [1]'];
    for (let i = 1; i <= 5; i++) levels.push(`x${i}: &x${i} ${'['.repeat(20)}*x${i - 1}${']'.repeat(20)}`);
    expect(codes(levels.join('\n'))).toEqual([':too_deep']);
  });

  it('reports YAML syntax errors with a line number', () => {
    const result = validateClusterSpec('clusterName: demo\nregion: [us-east-1\n');
    expect(result.errors[0]).toMatchObject({
      path: '',
      code: 'syntax_error',
      message: expect.stringMatching(/line \d+/),
    });
  });

  it('rejects several documents, an empty document, and a root that is not a mapping', () => {
    expect(codes('clusterName: a\n---\nclusterName: b\n')).toEqual([':multiple_documents']);
    expect(codes('')).toEqual([':empty_document']);
    expect(codes('# only a comment\n')).toEqual([':empty_document']);
    expect(codes('- a\n- b\n')).toEqual([':not_a_mapping']);
    expect(codes('just a string')).toEqual([':not_a_mapping']);
  });

  it('reads JSON, and with format json rejects YAML-only syntax', () => {
    expectValid(validateClusterSpec(JSON.stringify(BASE)));
    expectValid(validateClusterSpec(JSON.stringify(BASE), { format: 'json' }));
    expect(validateClusterSpec('clusterName: demo\n', { format: 'json' }).errors[0]?.code).toBe(
      'syntax_error',
    );
  });
});

describe('document-level codes', () => {
  it('every problem with the text itself carries a code listed in DOCUMENT_ERROR_CODES; content problems do not', () => {
    const documentProblems = [
      '',
      '- a',
      'a: [',
      'a: 1\na: 2',
      '1: x',
      '__proto__: 1',
      'a: 1\n---\nb: 2',
      '\u0000',
    ];
    for (const text of documentProblems) {
      for (const error of validateClusterSpec(text).errors)
        expect(DOCUMENT_ERROR_CODES.has(error.code)).toBe(true);
    }
    for (const error of validateClusterSpec('clusterName: x\n').errors)
      expect(DOCUMENT_ERROR_CODES.has(error.code)).toBe(false);
  });
});
