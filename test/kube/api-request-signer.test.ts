/**
 * SigV4 for the CLI's calls to kaws on AWS: which hosts are signed, and that a signed request, as the
 * CLI's client sends it (captured by a local server), carries a signature that an independent
 * implementation of the SigV4 algorithm (AWS's documented steps, node:crypto) reproduces.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KawsApi } from '../../bin/cli/api-client.ts';
import { createApiRequestSigner, executeApiRegion } from '../../lib/aws/api-request-signer.ts';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

interface Captured {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** The signature of a captured request, computed from scratch per the SigV4 documentation. */
function expectedSignature(request: Captured, region: string): { signature: string; signedHeaders: string } {
  const authorization = String(request.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1] ?? '';
  const amzDate = String(request.headers['x-amz-date']);
  const date = amzDate.slice(0, 8);
  const url = new URL(request.url, 'http://placeholder');
  const encode = (value: string) =>
    encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = [...url.searchParams]
    .map(([k, v]) => [encode(k), encode(v)])
    .sort(([a, x], [b, y]) => (a === b ? (x ?? '').localeCompare(y ?? '') : (a ?? '').localeCompare(b ?? '')))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => `${name}:${String(request.headers[name]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    url.pathname.split('/').map(encode).join('/'),
    query,
    canonicalHeaders,
    signedHeaders,
    sha256(request.body),
  ].join('\n');
  const scope = `${date}/${region}/execute-api/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of [region, 'execute-api', 'aws4_request']) key = hmac(key, part);
  return { signature: createHmac('sha256', key).update(toSign).digest('hex'), signedHeaders };
}

describe('SigV4 for the kaws API', () => {
  let url = '';
  let captured: Captured[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      captured.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('signs API Gateway default endpoints only, in their region', () => {
    expect(executeApiRegion('a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com')).toBe('eu-west-1');
    expect(executeApiRegion('a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn')).toBe('cn-north-1');
    expect(executeApiRegion('127.0.0.1')).toBeUndefined();
    expect(executeApiRegion('kaws.example.com')).toBeUndefined();
    expect(executeApiRegion('execute-api.us-east-1.amazonaws.com.evil.example')).toBeUndefined();
  });

  it.each([
    [
      'POST with a body and headers',
      'POST',
      '/clusters',
      'clusterName: x\n',
      { 'idempotency-key': 'kaws-up-1' },
    ],
    ['GET with a query', 'GET', '/clusters/prod-east/events?limit=100&nextToken=a%2Bb', undefined, {}],
  ])(
    '%s: the signature the server receives is the documented one',
    async (_label, method, path, body, headers) => {
      captured = [];
      const signer = createApiRequestSigner({ region: 'us-east-1', credentials });
      const api = new KawsApi({ endpoint: url, caller: 'ignored-when-signing' }, signer);
      await api.request(method, path, {
        ...(body !== undefined ? { body, contentType: 'application/yaml' } : {}),
        headers,
      });
      const request = captured[0] as Captured;
      const authorization = String(request.headers.authorization);
      expect(authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
      );
      const { signature, signedHeaders } = expectedSignature(request, 'us-east-1');
      expect(signedHeaders.split(';')).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
      if (body !== undefined)
        expect(signedHeaders.split(';')).toEqual(expect.arrayContaining(['content-type', 'idempotency-key']));
      expect(authorization.endsWith(`Signature=${signature}`)).toBe(true);
      // On AWS the caller is the signature's identity: no local caller header is sent.
      expect(request.headers['x-kaws-caller']).toBeUndefined();
    },
  );

  it('leaves a local endpoint unsigned, with the local caller header', async () => {
    captured = [];
    await new KawsApi({ endpoint: url, caller: 'alice' }).request('GET', '/clusters');
    expect(captured[0]?.headers.authorization).toBeUndefined();
    expect(captured[0]?.headers['x-kaws-caller']).toBe('alice');
  });
});
