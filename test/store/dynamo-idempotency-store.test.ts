/** Idempotency records against the local cloud: claim, replay, mismatch, expiry, takeover, ownership. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DynamoIdempotencyStore } from '../../lib/store/dynamo-idempotency-store.ts';
import { localCloud } from '../support/local-cloud.ts';

const cloud = localCloud();
const store = new DynamoIdempotencyStore({
  documents: cloud.clients.documents,
  tableName: cloud.resources.tableName,
});
const at = (iso: string) => new Date(iso);

describe('DynamoIdempotencyStore', () => {
  it('claims once; a duplicate sees it in progress, then replays the completed response; another request is a mismatch', async () => {
    const ref = { scope: 'alice', key: randomUUID() };
    const first = await store.claim({
      ...ref,
      requestHash: 'h1',
      now: at('2026-01-01T00:00:00Z'),
      lockSeconds: 60,
    });
    expect(first.outcome).toBe('claimed');
    expect(
      (await store.claim({ ...ref, requestHash: 'h1', now: at('2026-01-01T00:00:01Z'), lockSeconds: 60 }))
        .outcome,
    ).toBe('in-progress');
    expect(
      (await store.claim({ ...ref, requestHash: 'h2', now: at('2026-01-01T00:00:01Z'), lockSeconds: 60 }))
        .outcome,
    ).toBe('mismatch');
    const response = {
      statusCode: 202,
      headers: { location: '/operations/X', etag: '"1"' },
      body: '{"a":1}',
    };
    if (first.outcome !== 'claimed') throw new Error('unreachable');
    await store.complete({ ...ref, token: first.token, response, expiresAt: at('2026-01-02T00:00:00Z') });
    expect(
      await store.claim({ ...ref, requestHash: 'h1', now: at('2026-01-01T12:00:00Z'), lockSeconds: 60 }),
    ).toEqual({
      outcome: 'replay',
      response,
    });
    // After 24 hours the key is free again.
    expect(
      (await store.claim({ ...ref, requestHash: 'h2', now: at('2026-01-02T00:00:01Z'), lockSeconds: 60 }))
        .outcome,
    ).toBe('claimed');
  });

  it('keys are scoped: the same key for another caller is another record', async () => {
    const key = randomUUID();
    const now = at('2026-01-01T00:00:00Z');
    expect((await store.claim({ scope: 'alice', key, requestHash: 'a', now, lockSeconds: 60 })).outcome).toBe(
      'claimed',
    );
    expect((await store.claim({ scope: 'bob', key, requestHash: 'b', now, lockSeconds: 60 })).outcome).toBe(
      'claimed',
    );
  });

  it('a claim abandoned by a dead request is taken over after its lock; the old owner cannot release the new claim', async () => {
    const ref = { scope: 'alice', key: randomUUID() };
    const dead = await store.claim({
      ...ref,
      requestHash: 'h',
      now: at('2026-01-01T00:00:00Z'),
      lockSeconds: 60,
    });
    const taken = await store.claim({
      ...ref,
      requestHash: 'h',
      now: at('2026-01-01T00:01:01Z'),
      lockSeconds: 60,
    });
    expect(taken.outcome).toBe('claimed');
    if (dead.outcome !== 'claimed' || taken.outcome !== 'claimed') throw new Error('unreachable');
    await store.release({ ...ref, token: dead.token });
    expect(
      (await store.claim({ ...ref, requestHash: 'h', now: at('2026-01-01T00:01:02Z'), lockSeconds: 60 }))
        .outcome,
    ).toBe('in-progress');
    await store.release({ ...ref, token: taken.token });
    expect(
      (await store.claim({ ...ref, requestHash: 'other', now: at('2026-01-01T00:01:03Z'), lockSeconds: 60 }))
        .outcome,
    ).toBe('claimed');
  });

  it('keeps large responses (compressed) and any key text', async () => {
    const ref = { scope: 'arn:aws:iam::123456789012:user/alice', key: `${'k'.repeat(255)}#\u00e9` };
    const claim = await store.claim({
      ...ref,
      requestHash: 'h',
      now: at('2026-01-01T00:00:00Z'),
      lockSeconds: 60,
    });
    if (claim.outcome !== 'claimed') throw new Error(`expected a claim, got ${claim.outcome}`);
    const body = JSON.stringify({ spec: 'x'.repeat(300_000), n: randomUUID() });
    await store.complete({
      ...ref,
      token: claim.token,
      response: { statusCode: 202, headers: {}, body },
      expiresAt: at('2026-01-02T00:00:00Z'),
    });
    const replay = await store.claim({
      ...ref,
      requestHash: 'h',
      now: at('2026-01-01T00:00:01Z'),
      lockSeconds: 60,
    });
    expect(replay.outcome === 'replay' && replay.response.body === body).toBe(true);
  });
});
