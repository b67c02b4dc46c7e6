/**
 * docs/api.md's curl walkthrough works as written: its shell block is run with bash against the local
 * server with the local workflow engine, as `npm start` runs them (only the API= line points at this
 * test's port), on resources of their own so `prod-east` is free.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../functions/shared/app.ts';
import { logger } from '../../functions/shared/logger.ts';
import { ensureKawsResources, LOCAL_CREDENTIALS } from '../../local/cloud.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/engine-runtime.ts';
import { type ApiServer, startApiServer } from '../../local/server.ts';
import { localCloud } from '../support/local-cloud.ts';

const run = promisify(execFile);

function walkthrough(): string {
  const doc = readFileSync('docs/api.md', 'utf8');
  const section = doc.slice(doc.indexOf('## Walkthrough with curl'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('docs/api.md has no walkthrough block');
  return block;
}

describe('docs/api.md walkthrough', () => {
  let server: ApiServer;
  let runtime: LocalRuntime;
  beforeAll(async () => {
    const cloud = localCloud();
    const resources = await ensureKawsResources(cloud.clients, `kaws-walk-${randomBytes(3).toString('hex')}`);
    runtime = await startLocalRuntime({ clients: cloud.clients, region: cloud.region, resources });
    logger.setLogLevel('SILENT');
    const app = buildApp(
      {
        aws: { region: cloud.region, endpoint: cloud.endpoint, credentials: { ...LOCAL_CREDENTIALS } },
        tableName: resources.tableName,
        bucketName: resources.bucketName,
      },
      { workflows: runtime.engine, endpoints: runtime.endpoints },
    );
    server = await startApiServer({ app, port: 0, log: false });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await runtime?.stop();
  });

  it('runs as written and shows what it says', async () => {
    const script = walkthrough();
    expect(script).toMatch(/^API=http:\/\/127\.0\.0\.1:8080$/m);
    const { stdout } = await run('bash', ['-c', script.replace(/^API=.*$/m, `API=${server.url}`)], {
      timeout: 240_000,
    });
    expect(stdout).toMatch(/"valid":true/);
    expect(stdout).toMatch(/"path":"podCIDR"/);
    // The create, its replay, the update.
    expect(stdout.match(/HTTP\/1\.1 202 Accepted/g)).toHaveLength(3);
    expect(stdout).toMatch(/idempotent-replayed: true/i);
    expect(stdout).toMatch(/urn:kaws:problem:cluster-name-taken/);
    expect(stdout).toMatch(/urn:kaws:problem:operation-in-progress/);
    expect(stdout).toMatch(/"type":"CREATE","status":"(PENDING|IN_PROGRESS)"/);
    expect(stdout).toMatch(/HTTP\/1\.1 200 OK[\s\S]*etag: "1"[\s\S]*"status":"ACTIVE"/i);
    expect(stdout).toMatch(/urn:kaws:problem:precondition-required/);
    expect(stdout).toMatch(/"currentETag":"\\"2\\""/);
    expect(stdout).toMatch(/"type":"UPDATE","status":"SUCCEEDED"/);
    expect(stdout).toMatch(/"name":"prod-east","status":"DELETED"/);
    expect(stdout).toMatch(/"openapi":"3\.1\.0"/);
  }, 300_000);
});
