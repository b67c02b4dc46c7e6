/** POST /clusters: the spec (JSON or YAML) -> 202 with the cluster and its CREATE operation. */
import { createCluster } from '../../lib/service/clusters.ts';

import { apiHandler } from '../shared/handler.ts';
import { callerOf, readSpecBody } from '../shared/http.ts';
import { idempotency } from '../shared/idempotency-middleware.ts';
import { mutationDeps } from '../shared/mutation-deps.ts';
import { operationAccepted } from '../shared/responses.ts';

export const handler = apiHandler(async (event) => {
  const deps = mutationDeps();
  const body = readSpecBody(event);
  const accepted = await createCluster(deps, {
    specText: body.bytes,
    format: body.format,
    caller: callerOf(event),
  });
  return operationAccepted(accepted);
}, idempotency());
