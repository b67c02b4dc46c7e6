/**
 * The local API server: node:http on loopback, translating each request into the API Gateway HTTP API
 * (payload 2.0) event the deployed functions receive, calling the SAME handlers, and translating their
 * result back. Routing follows functions/shared/routes.ts as API Gateway follows serverless.yml.
 *
 * Locally there is no IAM authorizer: the caller is the `X-Kaws-Caller` header, or `local-user`.
 * CORS (API Gateway's own feature on AWS) is done here, for the configured origins only.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, Context } from 'aws-lambda';
import { type App, installApp } from '../functions/shared/app.ts';
import type { ApiResult } from '../functions/shared/http.ts';
import { fallbackRoute, matchRoute, routes } from '../functions/shared/routes.ts';

/** API Gateway's own payload limit; the functions enforce the API's smaller one. */
const MAX_GATEWAY_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_CALLER = 'local-user';
const CALLER_SHAPE = /^[\x21-\x7E]{1,256}$/;
const TEXT_TYPES = /^(text\/|application\/(json|yaml|xml|javascript)|[^;]*\+json)/i;

type Handler = (event: APIGatewayProxyEventV2WithIAMAuthorizer, context: Context) => Promise<ApiResult>;

export interface ApiServerOptions {
  /** The wired use cases (built from the local cloud); installed as the functions' App. */
  app: App;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Origins allowed by CORS; none by default. */
  corsOrigins?: readonly string[];
  /** One line per request; default stdout. `false` for silence. */
  log?: ((line: string) => void) | false;
  /**
   * Local-only endpoints (under `/_local/`, never deployed: e.g. the stand-ins' fault switch), answered
   * before the API's routes; undefined lets the request through to them.
   */
  local?: (request: { method: string; path: string; body: Buffer }) => Promise<ApiResult | undefined>;
}

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function loadHandlers(): Promise<Map<string, Handler>> {
  const modules = [...routes.map((r) => r.module), fallbackRoute.module];
  const loaded = await Promise.all(
    modules.map(async (name) => {
      const module = (await import(`../functions/api/${name}.ts`)) as { handler: Handler };
      return [name, module.handler] as const;
    }),
  );
  return new Map(loaded);
}

/** Reads the body up to `limit` bytes; undefined when it is larger. */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Joins repeated headers with commas and lower-cases names, as API Gateway does. */
function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headersDistinct)) {
    if (value) headers[name.toLowerCase()] = value.join(',');
  }
  return headers;
}

function queryOf(rawQuery: string): Record<string, string> | undefined {
  if (!rawQuery) return undefined;
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  return query;
}

function decodeParams(params: Record<string, string>): Record<string, string> | undefined {
  try {
    return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, decodeURIComponent(v)]));
  } catch {
    return undefined;
  }
}

function problemResult(status: number, slug: string, detail: string, instance: string): ApiResult {
  const titles: Record<number, string> = { 400: 'Bad Request', 413: 'Content Too Large' };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: `urn:kaws:problem:${slug}`,
      title: titles[status] ?? 'Error',
      status,
      detail,
      instance,
    }),
  };
}

/** Starts the server; resolves once it listens. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  installApp(options.app);
  const handlers = await loadHandlers();
  const allowedOrigins = new Set(options.corsOrigins ?? []);
  const log =
    options.log === false ? () => {} : (options.log ?? ((line: string) => process.stdout.write(`${line}\n`)));

  const handle = async (request: IncomingMessage): Promise<ApiResult> => {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
    const rawQueryString = queryAt === -1 ? '' : url.slice(queryAt + 1);
    const headers = headersOf(request);
    const origin = headers.origin;

    if (method === 'GET' && rawPath === '/healthz') {
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' };
    }
    if (
      method === 'OPTIONS' &&
      origin &&
      allowedOrigins.has(origin) &&
      headers['access-control-request-method']
    ) {
      return {
        statusCode: 204,
        headers: {
          'access-control-allow-methods': 'GET, POST, PUT, DELETE',
          'access-control-allow-headers':
            'authorization, content-type, if-match, idempotency-key, x-kaws-caller',
          'access-control-max-age': '600',
        },
        body: '',
      };
    }
    const caller = headers['x-kaws-caller'] ?? DEFAULT_CALLER;
    if (!CALLER_SHAPE.test(caller)) {
      return problemResult(
        400,
        'invalid-caller',
        'X-Kaws-Caller must be 1 to 256 visible ASCII characters',
        rawPath,
      );
    }
    const body = await readBody(request, MAX_GATEWAY_BODY_BYTES);
    if (!body) {
      const refused = problemResult(413, 'payload-too-large', 'the body is larger than 10 MiB', rawPath);
      // The rest of the body is never read: the connection cannot carry another request.
      return { ...refused, headers: { ...refused.headers, connection: 'close' } };
    }

    const local = rawPath.startsWith('/_local/')
      ? await options.local?.({ method, path: rawPath, body })
      : undefined;
    if (local) return local;
    const match = matchRoute(method, rawPath);
    const params = match.kind === 'route' ? decodeParams(match.params) : {};
    if (!params)
      return problemResult(400, 'malformed-path', 'the path is not valid percent-encoding', rawPath);
    const routeKey = match.kind === 'route' ? `${match.route.method} ${match.route.path}` : '$default';
    const module = match.kind === 'route' ? match.route.module : fallbackRoute.module;
    const text = body.length > 0 && TEXT_TYPES.test(headers['content-type'] ?? '') && isUtf8(body);
    const now = new Date();
    const requestId = randomUUID();
    const event: APIGatewayProxyEventV2WithIAMAuthorizer = {
      version: '2.0',
      routeKey,
      rawPath,
      rawQueryString,
      headers,
      ...(queryOf(rawQueryString) ? { queryStringParameters: queryOf(rawQueryString) } : {}),
      ...(match.kind === 'route' && Object.keys(params).length ? { pathParameters: params } : {}),
      ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: body.length > 0 && !text,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: {
          method,
          path: rawPath,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId,
        routeKey,
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
        authorizer: {
          iam: {
            accessKey: 'local',
            accountId: '000000000000',
            callerId: caller,
            cognitoIdentity: null,
            principalOrgId: '',
            userArn: caller,
            userId: caller,
          },
        },
      },
    };
    const context = {
      awsRequestId: requestId,
      functionName: module,
      getRemainingTimeInMillis: () => 29_000,
    } as Context;
    const handler = handlers.get(module) as Handler;
    return handler(event, context);
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const origin = request.headers.origin;
    handle(request)
      .catch((error: unknown) => {
        // The handlers answer every error themselves; reaching here is a bug in this server.
        process.stderr.write(`kaws local server: ${error instanceof Error ? error.stack : String(error)}\n`);
        return problemResult(500, 'internal-error', 'an internal error occurred', request.url ?? '/');
      })
      .then((result) => {
        const headers: Record<string, string> = { ...result.headers };
        if (origin && allowedOrigins.has(origin)) {
          headers['access-control-allow-origin'] = origin;
          headers['access-control-expose-headers'] = 'etag, location, retry-after, idempotent-replayed';
          headers.vary = 'Origin';
        }
        const body = Buffer.from(result.body ?? '', 'utf8');
        response.writeHead(result.statusCode, { ...headers, 'content-length': String(body.length) });
        response.end(body);
        log(
          `${request.method} ${request.url} ${result.statusCode} ${(performance.now() - started).toFixed(1)}ms ` +
            `${request.headers['x-kaws-caller'] ?? DEFAULT_CALLER}`,
        );
      });
  });
  // Node's parser refuses what it cannot read (an unknown method, a malformed header): answer 400 as a
  // problem, as API Gateway answers a request it cannot route, instead of dropping the connection.
  server.on('clientError', (_error, socket) => {
    if (!socket.writable) return socket.destroy();
    const body = JSON.stringify({
      type: 'urn:kaws:problem:malformed-request',
      title: 'Bad Request',
      status: 400,
      detail: 'the request is not valid HTTP/1.1 (unknown method or malformed request line or header)',
    });
    socket.end(
      'HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
