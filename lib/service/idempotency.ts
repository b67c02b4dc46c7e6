/**
 * Idempotency-Key semantics for mutations: the same key with the same request within 24 hours gets the
 * original response back; the same key with a different request is refused; concurrent duplicates run
 * once (the first claims the key, the others are told it is in progress). Only successful responses are
 * kept: a refused or failed request leaves nothing behind, so it changes no state and can be retried.
 */
import { createHash } from 'node:crypto';
import { IdempotencyKeyReusedError, IdempotencyRequestInProgressError } from './errors.ts';
import type { Clock, IdempotencyStore, StoredResponse } from './ports.ts';

/** How long a completed response is replayed. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** How long an unfinished first request blocks its duplicates if it dies (longer than a Lambda timeout). */
export const IDEMPOTENCY_LOCK_SECONDS = 60;
const KEY_SHAPE = /^[\x21-\x7E]{1,255}$/;

/**
 * The key as sent (the IETF draft sends it as a quoted structured-field string; many clients send it
 * bare), or undefined when it is not 1..255 visible ASCII characters.
 */
export function parseIdempotencyKey(header: string): string | undefined {
  const trimmed = header.trim();
  const key =
    trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
  return KEY_SHAPE.test(key) ? key : undefined;
}

/** What makes two requests "the same": method, path and body bytes. */
export function requestFingerprint(method: string, path: string, body: string | Uint8Array): string {
  return createHash('sha256')
    .update(method.toUpperCase())
    .update('\0')
    .update(path)
    .update('\0')
    .update(body)
    .digest('hex');
}

export type IdempotentStart =
  | { kind: 'replay'; response: StoredResponse }
  | {
      kind: 'proceed';
      /** Keeps a successful response for replay; forgets anything else. */
      finish(response: StoredResponse): Promise<void>;
      /** Forgets the claim (the request failed before producing a response). */
      abandon(): Promise<void>;
    };

export class IdempotencyGuard {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Claims (scope, key) for this request or returns the response to replay.
   * @throws IdempotencyKeyReusedError, IdempotencyRequestInProgressError
   */
  async begin(input: { scope: string; key: string; fingerprint: string }): Promise<IdempotentStart> {
    const claim = await this.store.claim({
      scope: input.scope,
      key: input.key,
      requestHash: input.fingerprint,
      now: this.clock.now(),
      lockSeconds: IDEMPOTENCY_LOCK_SECONDS,
    });
    switch (claim.outcome) {
      case 'mismatch':
        throw new IdempotencyKeyReusedError();
      case 'in-progress':
        throw new IdempotencyRequestInProgressError();
      case 'replay':
        return { kind: 'replay', response: claim.response };
      case 'claimed': {
        const ref = { scope: input.scope, key: input.key, token: claim.token };
        return {
          kind: 'proceed',
          finish: async (response) => {
            if (response.statusCode >= 200 && response.statusCode < 300) {
              const expiresAt = new Date(this.clock.now().getTime() + IDEMPOTENCY_TTL_SECONDS * 1000);
              await this.store.complete({ ...ref, response, expiresAt });
            } else {
              await this.store.release(ref);
            }
          },
          abandon: () => this.store.release(ref),
        };
      }
    }
  }
}
