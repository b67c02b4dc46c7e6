/** GET /clusters/{name}: spec, status, outputs; ETag = the spec version. */
import { getCluster } from '../../lib/service/cluster-queries.ts';
import { ClusterNameParamsSchema } from '../shared/api-schemas.ts';
import { app } from '../shared/app.ts';
import { apiHandler } from '../shared/handler.ts';
import { json, pathParams } from '../shared/http.ts';
import { clusterView, etagOf } from '../shared/presenters.ts';

export const handler = apiHandler(async (event) => {
  const deps = app();
  const { name } = pathParams(event, ClusterNameParamsSchema);
  const cluster = await getCluster(deps, name);
  return json(200, clusterView(cluster), { etag: etagOf(cluster.specVersion) });
});
