/**
 * Idempotency-Key for the mutation functions: claims the key before the function runs (a replay answers
 * at once), keeps the successful response after it, forgets the claim on any refusal or failure.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { parseIdempotencyKey, requestFingerprint } from '../../lib/service/idempotency.ts';
import { app } from './app.ts';
import { type RequestState, requestIdOf, stateOf } from './handler.ts';
import { type ApiEvent, type ApiResult, bodyBytes, callerOf, header } from './http.ts';
import { logger } from './logger.ts';
import { problem } from './problems.ts';

type Middleware = middy.MiddlewareObj<ApiEvent, ApiResult, Error, Context>;

interface IdempotencyState extends RequestState {
  finish?: (response: ApiResult) => Promise<void>;
  abandon?: () => Promise<void>;
}

export function idempotency(): Middleware {
  return {
    before: async (request) => {
      const raw = header(request.event, 'idempotency-key');
      if (raw === undefined) return;
      const key = parseIdempotencyKey(raw);
      if (!key) {
        throw problem(
          400,
          'invalid-idempotency-key',
          'Idempotency-Key must be 1 to 255 visible ASCII characters',
        );
      }
      const event = request.event;
      const start = await app().idempotency.begin({
        scope: callerOf(event),
        key,
        fingerprint: requestFingerprint(event.requestContext.http.method, event.rawPath, bodyBytes(event)),
      });
      const state = stateOf(request) as IdempotencyState;
      if (start.kind === 'replay') {
        state.replayed = true;
        const { statusCode, headers, body } = start.response;
        return { statusCode, headers: { ...headers, 'idempotent-replayed': 'true' }, body };
      }
      state.finish = start.finish;
      state.abandon = start.abandon;
    },
    after: async (request) => {
      const state = stateOf(request) as IdempotencyState;
      if (!state.finish || !request.response) return;
      const { statusCode, headers, body } = request.response;
      try {
        await state.finish({ statusCode, headers, body });
      } catch (error) {
        // The change is made; failing the request now would invite a retry that is refused as a conflict.
        // Without the record a retry gets that conflict anyway, naming this request's operation.
        logger.error('could not record the idempotent response', { error, requestId: requestIdOf(request) });
      }
    },
    onError: async (request) => {
      try {
        await (stateOf(request) as IdempotencyState).abandon?.();
      } catch (error) {
        // The marker expires by itself (IDEMPOTENCY_LOCK_SECONDS); the refusal still goes out.
        logger.error('could not release an idempotency key', { error, requestId: requestIdOf(request) });
      }
    },
  };
}
