/**
 * The API refuses a spec whose stacks CloudFormation would refuse, before anything is stored, with the
 * same answer as `kaws validate` (the stacks are rendered without keys to check their limits).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKaws } from '../cli/run-kaws.ts';
import { send, specYaml, startTestApi, type TestApi, uniqueName } from './support.ts';

const tooManyEtcdMembers = (yaml: string) => yaml.replace('etcd:\n  count: 3', 'etcd:\n  count: 125');

describe('template limits through the API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('POST /validate reports them like kaws validate', async () => {
    const spec = specYaml(uniqueName('limits'), tooManyEtcdMembers);
    const response = await send(api, 'POST', '/validate', { body: spec });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { valid: boolean; errors: unknown[] };
    const cli = await runKaws(['validate', '-f', '-', '--output', 'json'], { input: spec });
    expect(cli.code).toBe(1);
    expect(body.valid).toBe(false);
    expect(body.errors).toEqual(JSON.parse(cli.stdout).errors);
    expect(body.errors).toEqual([
      expect.objectContaining({ path: 'etcd.count', code: 'too_many_resources' }),
    ]);
  });

  it('POST /clusters refuses them with 422 and stores nothing', async () => {
    const name = uniqueName('limits');
    const response = await send(api, 'POST', '/clusters', { body: specYaml(name, tooManyEtcdMembers) });
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { errors: Array<{ path: string }> };
    expect(problem.errors.map((e) => e.path)).toEqual(['etcd.count']);
    expect((await send(api, 'GET', `/clusters/${name}`)).status).toBe(404);
  });
});
