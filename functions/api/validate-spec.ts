/** POST /validate: the same {valid, errors, warnings} as `kaws validate`, plus the normalized spec. */
import { validateSpecText } from '../../lib/service/spec-input.ts';
import { apiHandler } from '../shared/handler.ts';
import { json, readSpecBody } from '../shared/http.ts';

export const handler = apiHandler(async (event) => {
  const body = readSpecBody(event);
  const result = validateSpecText(body.bytes, body.format);
  return json(200, {
    valid: result.valid,
    errors: result.errors,
    warnings: result.warnings,
    ...(result.valid && result.spec ? { spec: result.spec } : {}),
  });
});
