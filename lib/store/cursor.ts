/**
 * Opaque page cursors: DynamoDB's LastEvaluatedKey as base64url JSON. Decoding checks the key belongs to
 * the listing that asks (same partition, only key attributes), so a forged or foreign token is a clear
 * InvalidCursorError, never a DynamoDB ValidationException.
 */
import { InvalidCursorError } from '../service/errors.ts';

export type TableKey = Record<string, string>;

const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk']);
/** Longer than any key this table can produce (DynamoDB keys are at most 2 KiB + 1 KiB). */
const MAX_CURSOR_LENGTH = 4096;

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  if (!key) return undefined;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** What a listing's keys look like: an attribute's exact value, or the prefix it starts with. */
export type KeyExpectation = Record<string, string | { prefix: string }>;

/**
 * @param expected every attribute the key must have, each with its exact value (the listing's partition)
 *   or prefix (the listing's sort-key range: a key outside it makes DynamoDB fail the query)
 */
export function decodeCursor(cursor: string | undefined, expected: KeyExpectation): TableKey | undefined {
  if (cursor === undefined) return undefined;
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidCursorError();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidCursorError();
  const entries = Object.entries(parsed);
  const key: TableKey = {};
  for (const [name, value] of entries) {
    if (!KEY_ATTRIBUTES.has(name) || typeof value !== 'string' || value.length === 0) {
      throw new InvalidCursorError();
    }
    key[name] = value;
  }
  if (entries.length !== Object.keys(expected).length) throw new InvalidCursorError();
  for (const [name, want] of Object.entries(expected)) {
    const value = key[name];
    if (value === undefined) throw new InvalidCursorError();
    if (typeof want === 'string' ? value !== want : !value.startsWith(want.prefix))
      throw new InvalidCursorError();
  }
  return key;
}
