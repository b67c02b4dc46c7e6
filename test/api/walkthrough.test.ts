/**
 * docs/api.md's curl walkthrough works as written: its shell block is run with bash against the local
 * server (only the API= line points at this test's port), on a table of its own so `prod-east` is free.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKawsResources } from '../../local/cloud.ts';
import { localCloud } from '../support/local-cloud.ts';
import { startTestApi, type TestApi } from './support.ts';

const run = promisify(execFile);

function walkthrough(): string {
  const doc = readFileSync('docs/api.md', 'utf8');
  const section = doc.slice(doc.indexOf('## Walkthrough with curl'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('docs/api.md has no walkthrough block');
  return block;
}

describe('docs/api.md walkthrough', () => {
  let api: TestApi;
  beforeAll(async () => {
    const resources = await ensureKawsResources(
      localCloud().clients,
      `kaws-walk-${randomBytes(3).toString('hex')}`,
    );
    api = await startTestApi({ tableName: resources.tableName });
  }, 120_000);
  afterAll(() => api?.close());

  it('runs as written and shows what it says', async () => {
    const script = walkthrough();
    expect(script).toMatch(/^API=http:\/\/127\.0\.0\.1:8080$/m);
    const { stdout } = await run('bash', ['-c', script.replace(/^API=.*$/m, `API=${api.url}`)], {
      timeout: 60_000,
    });
    expect(stdout).toMatch(/"valid":true/);
    expect(stdout).toMatch(/"path":"podCIDR"/);
    expect(stdout.match(/HTTP\/1\.1 202 Accepted/g)).toHaveLength(2);
    expect(stdout).toMatch(/idempotent-replayed: true/i);
    expect(stdout).toMatch(/"type":"CREATE","status":"PENDING"/);
    expect(stdout).toMatch(/etag: "1"/i);
    expect(stdout).toMatch(/urn:kaws:problem:cluster-name-taken/);
    expect(stdout).toMatch(/urn:kaws:problem:precondition-required/);
    expect(stdout).toMatch(/urn:kaws:problem:operation-in-progress/);
    expect(stdout).toMatch(/"openapi":"3\.1\.0"/);
    const operations = await api.store.listOperations('prod-east', { limit: 10 });
    expect(operations.items).toHaveLength(1);
  });
});
