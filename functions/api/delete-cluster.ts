/** DELETE /clusters/{name} (If-Match optional) -> 202 with the DELETE operation. */
import { deleteCluster } from '../../lib/service/clusters.ts';
import { ClusterNameParamsSchema } from '../shared/api-schemas.ts';

import { apiHandler } from '../shared/handler.ts';
import { callerOf, header, parseIfMatch, pathParams } from '../shared/http.ts';
import { idempotency } from '../shared/idempotency-middleware.ts';
import { mutationDeps } from '../shared/mutation-deps.ts';
import { operationAccepted } from '../shared/responses.ts';

export const handler = apiHandler(async (event) => {
  const deps = mutationDeps();
  const { name } = pathParams(event, ClusterNameParamsSchema);
  const ifMatch = parseIfMatch(header(event, 'if-match'));
  const accepted = await deleteCluster(deps, {
    clusterName: name,
    caller: callerOf(event),
    ...(ifMatch && 'specVersions' in ifMatch ? { expectedSpecVersions: ifMatch.specVersions } : {}),
  });
  return operationAccepted(accepted);
}, idempotency());
