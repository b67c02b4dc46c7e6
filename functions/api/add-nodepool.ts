/** POST /clusters/{name}/nodepools: one node pool (YAML/JSON), If-Match required -> 202 with the UPDATE operation. */
import { addNodePool } from '../../lib/service/nodepools.ts';
import { ClusterNameParamsSchema } from '../shared/api-schemas.ts';
import { apiHandler } from '../shared/handler.ts';
import { callerOf, pathParams, readSpecBody, requireIfMatch } from '../shared/http.ts';
import { idempotency } from '../shared/idempotency-middleware.ts';
import { mutationDeps } from '../shared/mutation-deps.ts';
import { operationAccepted } from '../shared/responses.ts';

export const handler = apiHandler(async (event) => {
  const { name } = pathParams(event, ClusterNameParamsSchema);
  const ifMatch = requireIfMatch(event);
  const body = readSpecBody(event);
  const accepted = await addNodePool(mutationDeps(), {
    clusterName: name,
    poolText: body.bytes,
    format: body.format,
    caller: callerOf(event),
    ...('specVersions' in ifMatch ? { expectedSpecVersions: ifMatch.specVersions } : {}),
  });
  return operationAccepted(accepted);
}, idempotency());
