/** POST /clusters/{name}/plan: a candidate spec -> what an update would change, without changing anything. */
import { planClusterUpdate } from '../../lib/service/plan.ts';
import { ClusterNameParamsSchema } from '../shared/api-schemas.ts';
import { apiHandler } from '../shared/handler.ts';
import { json, pathParams, readSpecBody } from '../shared/http.ts';
import { planDeps } from '../shared/update-deps.ts';

export const handler = apiHandler(async (event) => {
  const { name } = pathParams(event, ClusterNameParamsSchema);
  const body = readSpecBody(event);
  const plan = await planClusterUpdate(planDeps(), {
    clusterName: name,
    specText: body.bytes,
    format: body.format,
  });
  return json(200, plan, { 'cache-control': 'no-store' });
});
