/**
 * DELETE /clusters/{name}/nodepools/{pool}: If-Match required; the last pool only with ?allowEmpty=true
 * -> 202 with the UPDATE operation that deletes the pool's stack.
 */
import { removeNodePool } from '../../lib/service/nodepools.ts';
import { apiHandler } from '../shared/handler.ts';
import { callerOf, pathParams, queryParams, requireIfMatch } from '../shared/http.ts';
import { idempotency } from '../shared/idempotency-middleware.ts';
import { mutationDeps } from '../shared/mutation-deps.ts';
import { operationAccepted } from '../shared/responses.ts';
import { NodePoolParamsSchema, RemoveNodePoolQuerySchema } from '../shared/update-schemas.ts';

export const handler = apiHandler(async (event) => {
  const { name, pool } = pathParams(event, NodePoolParamsSchema);
  const { allowEmpty } = queryParams(event, RemoveNodePoolQuerySchema);
  const ifMatch = requireIfMatch(event);
  const accepted = await removeNodePool(mutationDeps(), {
    clusterName: name,
    nodePool: pool,
    allowEmpty: allowEmpty === 'true',
    caller: callerOf(event),
    ...('specVersions' in ifMatch ? { expectedSpecVersions: ifMatch.specVersions } : {}),
  });
  return operationAccepted(accepted);
}, idempotency());
