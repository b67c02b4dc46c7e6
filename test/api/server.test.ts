/**
 * The local server's own duties: CORS for configured origins only, API Gateway's limits and request
 * shapes, the local caller header, and `npm start`'s clean shutdown.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCloud } from '../support/local-cloud.ts';
import { send, startTestApi, type TestApi } from './support.ts';

describe('local server', () => {
  let api: TestApi;
  let plain: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ corsOrigins: ['https://portal.example.com'] });
    plain = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
    await plain.close();
  });

  it('CORS: allowed origins get the headers and a preflight answer; others get nothing', async () => {
    const allowed = await send(api, 'GET', '/clusters?limit=1', {
      headers: { origin: 'https://portal.example.com' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://portal.example.com');
    expect(allowed.headers.get('access-control-expose-headers')).toMatch(/etag/);
    const other = await send(api, 'GET', '/clusters?limit=1', {
      headers: { origin: 'https://evil.example.com' },
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await send(api, 'OPTIONS', '/clusters', {
      headers: { origin: 'https://portal.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/idempotency-key/);
    const refused = await send(api, 'OPTIONS', '/clusters', {
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(refused.status).toBe(405);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('CORS is off by default', async () => {
    const response = await send(plain, 'GET', '/clusters?limit=1', {
      headers: { origin: 'https://portal.example.com' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses what API Gateway would: bodies over 10 MiB, broken percent-encoding; and a bad X-Kaws-Caller', async () => {
    const huge = await send(plain, 'POST', '/clusters', { body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(huge.status).toBe(413);
    const encoding = await send(plain, 'GET', '/clusters/%E0%A4%A');
    expect(encoding.status).toBe(400);
    const caller = await send(plain, 'GET', '/clusters', { headers: { 'x-kaws-caller': 'x'.repeat(300) } });
    expect(caller.status).toBe(400);
    expect(((await caller.json()) as { detail: string }).detail).toMatch(/X-Kaws-Caller/);
  });

  it('decodes path parameters once, as API Gateway does', async () => {
    const response = await send(plain, 'GET', '/clusters/a%20b');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { detail: string }).detail).toBe('no cluster named a b');
  });

  it('`npm start` serves the API and shuts down cleanly on SIGINT', async () => {
    const cloud = localCloud();
    // Reuse the run's emulator (its own resources stack) rather than start a second moto.
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      env: { ...process.env, PORT: '0', AWS_ENDPOINT_URL: cloud.endpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL in time:\n${output}`)), 60_000);
      child.stdout.on('data', () => {
        const match = /API on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/clusters?limit=1`)).status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(output).toMatch(/GET \/healthz 200/);
    expect(output).toMatch(/SIGINT, shutting down/);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
