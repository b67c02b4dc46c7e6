/** GET /openapi.json: the API's OpenAPI 3.1 document, generated from the handlers' zod schemas. */
import { apiHandler } from '../shared/handler.ts';
import { openApiDocument } from '../shared/openapi.ts';

let document: string | undefined;

export const handler = apiHandler(async () => {
  // Generated once per cold start: it depends on nothing but the code.
  document ??= JSON.stringify(openApiDocument());
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: document };
});
