/** The `$default` route: 405 (with Allow) for a known path, 404 for anything else. */
import { apiHandler } from '../shared/handler.ts';
import { problem } from '../shared/problems.ts';
import { matchRoute } from '../shared/routes.ts';

export const handler = apiHandler(async (event) => {
  const method = event.requestContext.http.method;
  const match = matchRoute(method, event.rawPath);
  if (match.kind === 'method-not-allowed') {
    throw problem(
      405,
      'method-not-allowed',
      `${method} is not allowed on ${event.rawPath}; allowed: ${match.allow.join(', ')}`,
      { allow: match.allow },
      { allow: match.allow.join(', ') },
    );
  }
  throw problem(404, 'not-found', `no route for ${method} ${event.rawPath}`);
});
