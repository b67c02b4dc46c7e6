/**
 * Proof over TLS: an HTTPS server on the rendered apiserver certificate that requires client
 * certificates from the cluster CA (as kube-apiserver's --client-ca-file does) accepts the admin
 * certificate, sees system:masters in it, and refuses a certificate from another CA.
 */
import { readFile, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRealCredentials } from './fixtures.ts';
import { tempDir } from './tools.ts';

interface ClientIdentity {
  cert: string;
  key: string;
}

describe('mutual TLS with the apiserver certificate', () => {
  let dir: string;
  let otherDir: string;
  let server: Server;
  let port: number;
  let ca: string;
  const file = (folder: string, name: string) => readFile(join(folder, name), 'utf8');
  const identity = async (folder: string, name: string): Promise<ClientIdentity> => ({
    cert: await file(folder, `${name}.pem`),
    key: await file(folder, `${name}-key.pem`),
  });

  /** GET / as `client`; resolves with the response body, rejects with the TLS error. */
  const get = (client: ClientIdentity | undefined, servername?: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          ca,
          ...(client ?? {}),
          ...(servername ? { servername } : {}),
          agent: false,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    dir = await tempDir('mtls-proof');
    otherDir = await tempDir('mtls-proof-other-ca');
    await Promise.all([writeRealCredentials(dir), writeRealCredentials(otherDir)]);
    ca = await file(dir, 'ca.pem');
    server = createServer(
      {
        cert: await file(dir, 'apiserver.pem'),
        key: await file(dir, 'apiserver-key.pem'),
        ca,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        // What the API server would authenticate: user = CN, groups = O.
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.end(JSON.stringify({ user: peer.subject.CN, groups: peer.subject.O ?? null }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
    for (const folder of [dir, otherDir]) if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('accepts the admin certificate and authenticates it as kube-admin in system:masters', async () => {
    expect(JSON.parse(await get(await identity(dir, 'admin')))).toEqual({
      user: 'kube-admin',
      groups: 'system:masters',
    });
  });

  it('is verified by the client under the API endpoint name and the in-cluster name', async () => {
    const admin = await identity(dir, 'admin');
    for (const name of ['api.prod-east.example.com', 'kubernetes.default.svc']) {
      expect(JSON.parse(await get(admin, name)).user).toBe('kube-admin');
    }
    await expect(get(admin, 'api.other.example.com')).rejects.toThrow(
      /does not match certificate's altnames/,
    );
  });

  it('accepts the controller manager and scheduler as their built-in users', async () => {
    expect(JSON.parse(await get(await identity(dir, 'kube-controller-manager'))).user).toBe(
      'system:kube-controller-manager',
    );
    expect(JSON.parse(await get(await identity(dir, 'kube-scheduler'))).user).toBe('system:kube-scheduler');
  });

  it('refuses an admin certificate from another CA, and a client without a certificate', async () => {
    // TLS 1.3: the client's handshake completes before the server checks the client's certificate;
    // Node's server then drops the connection (no alert), so the client sees a reset. The same call
    // with this CA's admin certificate succeeds above, so the certificate is what is refused.
    await expect(get(await identity(otherDir, 'admin'))).rejects.toThrow(/^socket hang up$/);
    await expect(get(undefined)).rejects.toThrow(/alert certificate required/);
  });

  it('a client trusting only another CA refuses the server', async () => {
    const otherCa = await file(otherDir, 'ca.pem');
    const admin = await identity(otherDir, 'admin');
    const attempt = new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, ca: otherCa, ...admin, agent: false }, () => resolve());
      req.on('error', reject);
      req.end();
    });
    await expect(attempt).rejects.toThrow(/self[- ]signed certificate in certificate chain|unable to verify/);
  });
});
