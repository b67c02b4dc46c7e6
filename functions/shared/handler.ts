/**
 * Wraps a route's function in middy with what every API function shares: one structured log line per
 * request (never a body or a spec), problem+json for every error, and Idempotency-Key handling for
 * mutations.
 */
import middy from '@middy/core';
import type { HttpError } from '@middy/util';
import type { Context } from 'aws-lambda';
import { parseIdempotencyKey, requestFingerprint } from '../../lib/service/idempotency.ts';
import { type App, app } from './app.ts';
import { type ApiEvent, type ApiResult, bodyBytes, callerOf, header, json } from './http.ts';
import { problem, problemForDomainError, renderProblem } from './problems.ts';

export type RouteFunction = (event: ApiEvent, app: App) => Promise<ApiResult>;

type Request = middy.Request<ApiEvent, ApiResult, Error, Context>;

interface RequestState {
  started: number;
  finish?: (response: ApiResult) => Promise<void>;
  abandon?: () => Promise<void>;
  replayed?: boolean;
}

const states = new WeakMap<object, RequestState>();
const stateOf = (request: Request): RequestState => {
  let state = states.get(request);
  if (!state) {
    state = { started: performance.now() };
    states.set(request, state);
  }
  return state;
};

const requestIdOf = (request: Request) =>
  request.event.requestContext?.requestId ?? request.context?.awsRequestId ?? 'unknown';

/** Errors -> problem responses; an unexpected error is logged in full and answered with a bare 500. */
const problemResponses = (): middy.MiddlewareObj<ApiEvent, ApiResult, Error, Context> => ({
  onError: async (request) => {
    const error = request.error;
    let httpError: HttpError | undefined = problemForDomainError(error);
    if (!httpError && error && (error as Partial<HttpError>).statusCode && 'expose' in error) {
      httpError = error as HttpError;
    }
    if (!httpError || httpError.statusCode >= 500) {
      app().logger.error('request failed', { error: error ?? undefined, requestId: requestIdOf(request) });
    }
    httpError ??= problem(500, 'internal-error', 'internal error', {}, {}, false);
    const rendered = renderProblem(httpError, {
      instance: request.event.rawPath,
      requestId: requestIdOf(request),
    });
    request.response = json(rendered.statusCode, rendered.body, rendered.headers, 'application/problem+json');
  },
});

/**
 * Idempotency-Key: claims the key before the function runs (a replay answers at once), keeps the
 * successful response after it, forgets the claim on any refusal or failure.
 */
const idempotency = (): middy.MiddlewareObj<ApiEvent, ApiResult, Error, Context> => ({
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
    const state = stateOf(request);
    if (start.kind === 'replay') {
      state.replayed = true;
      const { statusCode, headers, body } = start.response;
      return { statusCode, headers: { ...headers, 'idempotent-replayed': 'true' }, body };
    }
    state.finish = start.finish;
    state.abandon = start.abandon;
  },
  after: async (request) => {
    const state = stateOf(request);
    if (state.finish && request.response) {
      const { statusCode, headers, body } = request.response;
      try {
        await state.finish({ statusCode, headers, body });
      } catch (error) {
        // The change is made; failing the request now would invite a retry that is refused as a conflict.
        // Without the record a retry gets that conflict anyway, naming this request's operation.
        app().logger.error('could not record the idempotent response', {
          error,
          requestId: requestIdOf(request),
        });
      }
    }
  },
  onError: async (request) => {
    try {
      await stateOf(request).abandon?.();
    } catch (error) {
      // The marker expires by itself (IDEMPOTENCY_LOCK_SECONDS); the refusal still goes out.
      app().logger.error('could not release an idempotency key', { error, requestId: requestIdOf(request) });
    }
  },
});

/** The Lambda handler of one route. */
export function apiHandler(route: RouteFunction, options: { idempotent?: boolean } = {}) {
  const handler = middy<ApiEvent, ApiResult, Error, Context>({
    // Our functions finish well within the Lambda timeout; middy's early-timeout race costs a timer per call.
    timeoutEarlyInMillis: 0,
    requestStart: (request: Request) => {
      stateOf(request);
    },
    requestEnd: (request: Request) => {
      const event = request.event;
      const state = stateOf(request);
      app().logger.info('request', {
        method: event.requestContext?.http?.method,
        path: event.rawPath,
        route: event.routeKey,
        status: request.response?.statusCode,
        durationMs: Math.round((performance.now() - state.started) * 10) / 10,
        caller: event.requestContext ? callerOf(event) : undefined,
        requestId: requestIdOf(request),
        ...(state.replayed ? { idempotentReplay: true } : {}),
      });
    },
  } as middy.PluginObject).handler((event: ApiEvent) => route(event, app()));
  handler.use(problemResponses());
  if (options.idempotent) handler.use(idempotency());
  return handler;
}
