/** POST /clusters/{name}/nodepools: one node pool (YAML/JSON), If-Match required -> 202 with the UPDATE operation. */
import { addNodePool } from '../../lib/service/nodepools.ts';
import { ClusterNameParamsSchema } from '../shared/api-schemas.ts';
import { apiHandler } from '../shared/handler.ts';
import { callerOf, header, parseIfMatch, pathParams, readSpecBody } from '../shared/http.ts';
import { idempotency } from '../shared/idempotency-middleware.ts';
import { mutationDeps } from '../shared/mutation-deps.ts';
import { problem } from '../shared/problems.ts';
import { operationAccepted } from '../shared/responses.ts';

export const handler = apiHandler(async (event) => {
  const { name } = pathParams(event, ClusterNameParamsSchema);
  const ifMatch = parseIfMatch(header(event, 'if-match'));
  if (!ifMatch) {
    throw problem(
      428,
      'precondition-required',
      'send If-Match with the ETag of the cluster you read (GET /clusters/{name})',
    );
  }
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
