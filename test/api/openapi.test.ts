/**
 * GET /openapi.json: an OpenAPI 3.1 document generated from the handlers' zod schemas, valid under an
 * OpenAPI validator, covering every route, and describing the responses the API really sends (checked
 * with ajv against the document's own JSON Schemas).
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/shared/routes.ts';
import { createCluster, send, startTestApi, type TestApi, uniqueName } from './support.ts';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

describe('OpenAPI document', () => {
  let api: TestApi;
  let document: OpenApiDocument;
  beforeAll(async () => {
    api = await startTestApi();
    const response = await send(api, 'GET', '/openapi.json');
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  });
  afterAll(() => api.close());

  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents every route, each with its problem responses', () => {
    for (const route of routes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation?.operationId).toBe(route.functionName);
    }
    const create = document.paths['/clusters']?.post?.responses ?? {};
    expect(Object.keys(create).sort()).toEqual(['202', '400', '409', '413', '415', '422', '503']);
    const update = document.paths['/clusters/{name}']?.put?.responses ?? {};
    expect(Object.keys(update)).toEqual(expect.arrayContaining(['202', '404', '409', '412', '422', '428']));
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'Cluster',
        'Operation',
        'ClusterEvent',
        'Problem',
        'ValidationResult',
        'ClusterStatus',
      ]),
    );
  });

  it('describes the responses the API sends', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      ajv.addSchema(schema as object, `#/components/schemas/${name}`);
    }
    const check = (name: string, value: unknown) => {
      const validate = ajv.getSchema(`#/components/schemas/${name}`);
      expect(validate, name).toBeDefined();
      const ok = validate?.(value);
      expect(validate?.errors ?? [], name).toEqual([]);
      expect(ok).toBe(true);
    };
    const name = uniqueName('oas');
    const accepted = await createCluster(api, name);
    check('OperationAccepted', accepted);
    check('Cluster', await (await send(api, 'GET', `/clusters/${name}`)).json());
    check('ClusterList', await (await send(api, 'GET', '/clusters?limit=3')).json());
    check('Operation', await (await send(api, 'GET', `/operations/${accepted.operation.id}`)).json());
    check('ClusterEventList', await (await send(api, 'GET', `/clusters/${name}/events`)).json());
    check('Problem', await (await send(api, 'GET', '/clusters/nope-nope')).json());
    check('Problem', await (await send(api, 'POST', '/clusters', { body: 'a: [' })).json());
    // A document that does not describe a response fails: the check itself can fail.
    const validate = ajv.getSchema('#/components/schemas/Cluster');
    expect(validate?.({ name })).toBe(false);
  });

  it('is the same document on every request', async () => {
    const again = await (await send(api, 'GET', '/openapi.json')).text();
    expect(again).toBe(JSON.stringify(document));
  });
});
