/** serverless.yml deploys exactly the routes the local server serves (functions/shared/routes.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { fallbackRoute, routes } from '../../functions/shared/routes.ts';

interface HttpApiEvent {
  httpApi: { method: string; path: string; authorizer?: { type: string } };
}
interface ServerlessFunction {
  handler: string;
  events?: HttpApiEvent[];
}

describe('serverless.yml', () => {
  const config = // CloudFormation's !Ref/!GetAtt tags are unknown to yaml: kept as plain values (a warning), not needed here.
    parseDocument(readFileSync('serverless.yml', 'utf8')).toJS() as {
      functions: Record<string, ServerlessFunction>;
    };
  const apiFunctions = Object.entries(config.functions).filter(([, fn]) =>
    fn.handler.startsWith('functions/api/'),
  );

  it('declares one IAM-authorized function per route, and the $default catch-all', () => {
    const declared = apiFunctions.map(([name, fn]) => {
      const event = fn.events?.[0]?.httpApi;
      return {
        name,
        handler: fn.handler,
        method: event?.method,
        path: event?.path,
        auth: event?.authorizer?.type,
      };
    });
    const expected = [
      ...routes.map((r) => ({
        name: r.functionName,
        handler: `functions/api/${r.module}.handler`,
        method: r.method,
        path: r.path,
        auth: 'aws_iam',
      })),
      {
        name: fallbackRoute.functionName,
        handler: `functions/api/${fallbackRoute.module}.handler`,
        method: '*',
        path: '*',
        auth: 'aws_iam',
      },
    ];
    expect(declared.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      expected.sort((a, b) => a.name.localeCompare(b.name)),
    );
    for (const [, fn] of apiFunctions) expect(fn.events).toHaveLength(1);
  });
});
