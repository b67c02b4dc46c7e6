/**
 * POST /clusters/{name}/kubeconfig: a kubeconfig with a short-lived client certificate for the caller.
 * Optional JSON body `{ttlSeconds}` or query `?ttl=`; 200 with the kubeconfig, never cached.
 */
import { createKubeconfig } from '../../lib/service/kubeconfig.ts';
import { InvalidKubeconfigTtlError } from '../../lib/service/kubeconfig-errors.ts';
import { ClusterNameParamsSchema, KubeconfigQuerySchema } from '../shared/api-schemas.ts';
import { apiHandler } from '../shared/handler.ts';
import {
  bodyBytes,
  callerOf,
  header,
  json,
  MAX_BODY_BYTES,
  pathParams,
  queryParams,
} from '../shared/http.ts';
import { kubeconfigDeps } from '../shared/kubeconfig-deps.ts';
import { problem } from '../shared/problems.ts';

const BODY_MEMBERS = ['ttlSeconds'];

/** The optional body: nothing, or a JSON object with at most `ttlSeconds` (its value is checked by the use case). */
function readBody(event: Parameters<typeof bodyBytes>[0]): { ttlSeconds?: number } {
  const bytes = bodyBytes(event);
  if (bytes.length === 0) return {};
  const mediaType = (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw problem(415, 'unsupported-media-type', 'send the body as application/json (or send none)');
  }
  if (bytes.length > MAX_BODY_BYTES) {
    throw problem(
      413,
      'payload-too-large',
      `the body is ${bytes.length} bytes; at most ${MAX_BODY_BYTES} are accepted`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw problem(400, 'malformed-body', 'the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw problem(400, 'malformed-body', 'the body must be a JSON object, e.g. {"ttlSeconds": 3600}');
  }
  const unknown = Object.keys(value).filter((key) => !BODY_MEMBERS.includes(key));
  if (unknown.length > 0) {
    throw problem(
      400,
      'invalid-body',
      `unknown member(s): ${unknown.join(', ')}; the body takes ttlSeconds only`,
      {
        errors: unknown.map((path) => ({ path, code: 'unknown_key', message: `unknown member ${path}` })),
      },
    );
  }
  const ttlSeconds = (value as { ttlSeconds?: unknown }).ttlSeconds;
  if (ttlSeconds === undefined) return {};
  if (typeof ttlSeconds !== 'number') {
    throw new InvalidKubeconfigTtlError('ttlSeconds must be a number of seconds', 'ttlSeconds');
  }
  return { ttlSeconds };
}

export const handler = apiHandler(async (event) => {
  const { name } = pathParams(event, ClusterNameParamsSchema);
  const { ttl } = queryParams(event, KubeconfigQuerySchema);
  const { ttlSeconds } = readBody(event);
  const issued = await createKubeconfig(kubeconfigDeps(), {
    clusterName: name,
    caller: callerOf(event),
    ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
    ...(ttl !== undefined ? { ttl } : {}),
  });
  // A private key: no shared cache may keep it.
  return json(200, issued, { 'cache-control': 'no-store' });
});
