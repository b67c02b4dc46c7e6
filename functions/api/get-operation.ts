/** GET /operations/{id}: type, status, steps with progress, timestamps, error. */
import { getOperation } from '../../lib/service/cluster-queries.ts';
import { OperationIdParamsSchema } from '../shared/api-schemas.ts';
import { app } from '../shared/app.ts';
import { apiHandler } from '../shared/handler.ts';
import { json, pathParams } from '../shared/http.ts';
import { operationView } from '../shared/presenters.ts';

export const handler = apiHandler(async (event) => {
  const deps = app();
  const { id } = pathParams(event, OperationIdParamsSchema);
  return json(200, operationView(await getOperation(deps, id)));
});
