/**
 * Wraps a route's function in middy with what every API function shares: one structured log line per
 * request (never a body or a spec) and problem+json for every error. Mutations add the Idempotency-Key
 * middleware (idempotency-middleware.ts). Nothing here builds AWS clients: a function that needs none
 * (validate, openapi, not-found) bundles none.
 */
import middy from '@middy/core';
import type { HttpError } from '@middy/util';
import type { Context } from 'aws-lambda';
import { type ApiEvent, type ApiResult, callerOf, json } from './http.ts';
import { logger } from './logger.ts';
import { problem, problemForDomainError, renderProblem } from './problems.ts';

export type RouteFunction = (event: ApiEvent) => Promise<ApiResult>;
type Request = middy.Request<ApiEvent, ApiResult, Error, Context>;
type Middleware = middy.MiddlewareObj<ApiEvent, ApiResult, Error, Context>;

/** Per-request bookkeeping shared by the middlewares. */
export interface RequestState {
  started: number;
  replayed?: boolean;
}

const states = new WeakMap<object, RequestState>();
export const stateOf = (request: Request): RequestState => {
  let state = states.get(request);
  if (!state) {
    state = { started: performance.now() };
    states.set(request, state);
  }
  return state;
};

export const requestIdOf = (request: Request) =>
  request.event.requestContext?.requestId ?? request.context?.awsRequestId ?? 'unknown';

/** Errors -> problem responses; an unexpected error is logged in full and answered with a bare 500. */
const problemResponses = (): Middleware => ({
  onError: async (request) => {
    const error = request.error;
    let httpError: HttpError | undefined = problemForDomainError(error);
    if (!httpError && error && (error as Partial<HttpError>).statusCode && 'expose' in error) {
      httpError = error as HttpError;
    }
    if (!httpError || httpError.statusCode >= 500) {
      logger.error('request failed', { error: error ?? undefined, requestId: requestIdOf(request) });
    }
    httpError ??= problem(500, 'internal-error', 'internal error', {}, {}, false);
    const rendered = renderProblem(httpError, {
      instance: request.event.rawPath,
      requestId: requestIdOf(request),
    });
    request.response = json(rendered.statusCode, rendered.body, rendered.headers, 'application/problem+json');
  },
});

/** The Lambda handler of one route; `middlewares` run inside the error mapping (so their refusals are problems). */
export function apiHandler(route: RouteFunction, ...middlewares: Middleware[]) {
  const handler = middy<ApiEvent, ApiResult, Error, Context>({
    // Our functions finish well within the Lambda timeout; middy's early-timeout race costs a timer per call.
    timeoutEarlyInMillis: 0,
    requestStart: (request: Request) => {
      stateOf(request);
    },
    requestEnd: (request: Request) => {
      const event = request.event;
      const state = stateOf(request);
      logger.info('request', {
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
  } as middy.PluginObject).handler((event: ApiEvent) => route(event));
  handler.use(problemResponses());
  for (const middleware of middlewares) handler.use(middleware);
  return handler;
}
