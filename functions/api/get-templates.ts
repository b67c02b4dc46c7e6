/** GET /clusters/{name}/templates: the templates the stacks run and the node configs (no private key). */
import { exportClusterTemplates } from '../../lib/service/export.ts';
import { ClusterNameParamsSchema } from '../shared/api-schemas.ts';
import { apiHandler } from '../shared/handler.ts';
import { json, pathParams } from '../shared/http.ts';
import { exportDeps } from '../shared/update-deps.ts';

export const handler = apiHandler(async (event) => {
  const { name } = pathParams(event, ClusterNameParamsSchema);
  return json(200, await exportClusterTemplates(exportDeps(), name));
});
