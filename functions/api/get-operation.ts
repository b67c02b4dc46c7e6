/** GET /operations/{id}: type, status, steps with progress, timestamps, error. */
import { getOperation } from '../../lib/service/clusters.ts';
import { OperationIdParamsSchema } from '../shared/api-schemas.ts';
import { apiHandler } from '../shared/handler.ts';
import { json, pathParams } from '../shared/http.ts';
import { operationView } from '../shared/presenters.ts';

export const handler = apiHandler(async (event, { deps }) => {
  const { id } = pathParams(event, OperationIdParamsSchema);
  return json(200, operationView(await getOperation(deps, id)));
});
