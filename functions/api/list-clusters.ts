/** GET /clusters?limit&nextToken&status: clusters by name, without their specs. */
import { listClusters } from '../../lib/service/cluster-queries.ts';
import { ClusterListQuerySchema } from '../shared/api-schemas.ts';
import { app } from '../shared/app.ts';
import { apiHandler } from '../shared/handler.ts';
import { json, queryParams } from '../shared/http.ts';
import { clusterSummaryView, pageView } from '../shared/presenters.ts';

export const handler = apiHandler(async (event) => {
  const deps = app();
  const query = queryParams(event, ClusterListQuerySchema);
  const page = await listClusters(deps, {
    limit: query.limit,
    ...(query.nextToken ? { cursor: query.nextToken } : {}),
    ...(query.status ? { status: query.status } : {}),
  });
  return json(200, pageView(page, clusterSummaryView));
});
