/**
 * The API's routes: one function (functions/api/<module>.ts) per route. serverless.yml declares the same
 * list (a test checks they agree), the local server routes by it, the OpenAPI document describes it, and
 * the `$default` function answers 404/405 from it.
 */

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway route path, `{param}` for a path segment. */
  path: string;
  /** functions/api/<module>.ts */
  module: string;
  /** The function's name in serverless.yml. */
  functionName: string;
}

export const routes: readonly Route[] = [
  { method: 'POST', path: '/clusters', module: 'create-cluster', functionName: 'createCluster' },
  { method: 'GET', path: '/clusters', module: 'list-clusters', functionName: 'listClusters' },
  { method: 'GET', path: '/clusters/{name}', module: 'get-cluster', functionName: 'getCluster' },
  { method: 'PUT', path: '/clusters/{name}', module: 'update-cluster', functionName: 'updateCluster' },
  { method: 'DELETE', path: '/clusters/{name}', module: 'delete-cluster', functionName: 'deleteCluster' },
  {
    method: 'GET',
    path: '/clusters/{name}/operations',
    module: 'list-operations',
    functionName: 'listOperations',
  },
  { method: 'GET', path: '/clusters/{name}/events', module: 'list-events', functionName: 'listEvents' },
  {
    method: 'POST',
    path: '/clusters/{name}/kubeconfig',
    module: 'create-kubeconfig',
    functionName: 'createKubeconfig',
  },
  {
    method: 'POST',
    path: '/clusters/{name}/plan',
    module: 'plan-cluster',
    functionName: 'planCluster',
  },
  {
    method: 'GET',
    path: '/clusters/{name}/templates',
    module: 'get-templates',
    functionName: 'getTemplates',
  },
  {
    method: 'POST',
    path: '/clusters/{name}/nodepools',
    module: 'add-nodepool',
    functionName: 'addNodepool',
  },
  {
    method: 'DELETE',
    path: '/clusters/{name}/nodepools/{pool}',
    module: 'remove-nodepool',
    functionName: 'removeNodepool',
  },
  { method: 'GET', path: '/operations/{id}', module: 'get-operation', functionName: 'getOperation' },
  { method: 'POST', path: '/validate', module: 'validate-spec', functionName: 'validateSpec' },
  { method: 'GET', path: '/openapi.json', module: 'get-openapi', functionName: 'getOpenapi' },
];

/** The `$default` route: everything no route matches. */
export const fallbackRoute = { module: 'not-found', functionName: 'notFound' } as const;

export type RouteMatch =
  | { kind: 'route'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'none' };

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i] as string;
    const value = got[i] as string;
    if (segment.startsWith('{') && segment.endsWith('}')) {
      if (value.length === 0) return undefined;
      params[segment.slice(1, -1)] = value;
    } else if (segment !== value) {
      return undefined;
    }
  }
  return params;
}

/**
 * Finds the route of a request as API Gateway would (exact segments, `{param}` = one non-empty
 * segment). Parameters are returned raw (still percent-encoded).
 */
export function matchRoute(method: string, path: string): RouteMatch {
  const allow: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method.toUpperCase()) return { kind: 'route', route, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'none' };
}
