/** GET /clusters/{name}/operations?limit&nextToken: the cluster's operations, newest first. */
import { listOperations } from '../../lib/service/cluster-queries.ts';
import { ClusterNameParamsSchema, PageQuerySchema } from '../shared/api-schemas.ts';
import { app } from '../shared/app.ts';
import { apiHandler } from '../shared/handler.ts';
import { json, pathParams, queryParams } from '../shared/http.ts';
import { operationView, pageView } from '../shared/presenters.ts';

export const handler = apiHandler(async (event) => {
  const deps = app();
  const { name } = pathParams(event, ClusterNameParamsSchema);
  const query = queryParams(event, PageQuerySchema);
  const page = await listOperations(deps, name, {
    limit: query.limit,
    ...(query.nextToken ? { cursor: query.nextToken } : {}),
  });
  return json(200, pageView(page, operationView));
});
