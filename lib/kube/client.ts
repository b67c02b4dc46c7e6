/**
 * A small Kubernetes API client over mutual TLS, for what kaws asks a cluster: is it ready (/readyz),
 * which version (/version), which nodes (/api/v1/nodes). Built on node:https so the server certificate
 * is verified against the cluster CA (never the system store) and the name the certificate must carry
 * can differ from the URL's host (a loopback address in front of the API DNS name).
 */
import { request } from 'node:https';
import type { KubeNode, NodeList } from './types.ts';

export interface KubeClientOptions {
  /** Base URL, e.g. `https://api.example.com` or `https://127.0.0.1:40123`. */
  url: string;
  /** The name to verify the server certificate against; default the URL's host. */
  serverName?: string;
  caCertificatePem: string;
  clientCertificatePem: string;
  clientKeyPem: string;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
}

/** A request that reached no answer (TLS refused, connection refused, timeout) or got a non-2xx one. */
export class KubeApiError extends Error {
  constructor(
    message: string,
    /** The HTTP status, when the server answered. */
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KubeApiError';
  }
}

export interface KubeResponse {
  statusCode: number;
  contentType: string;
  body: string;
}

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export class KubeClient {
  private readonly base: URL;

  constructor(private readonly options: KubeClientOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'https:') throw new KubeApiError(`${options.url}: only https is supported`);
  }

  /** GET `path` (with query); resolves with any status, rejects only when no answer came. */
  get(path: string, headers: Record<string, string> = {}): Promise<KubeResponse> {
    const url = new URL(path, this.base);
    const { options } = this;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          protocol: 'https:',
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || 443,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: { accept: 'application/json', 'user-agent': 'kaws', ...headers },
          ca: options.caCertificatePem,
          cert: options.clientCertificatePem,
          key: options.clientKeyPem,
          ...(options.serverName ? { servername: options.serverName } : {}),
          rejectUnauthorized: true,
          // One-off connections: a pooled socket would outlive a stand-in that is stopped.
          agent: false,
          timeout: options.timeoutMs ?? 10_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy(
                new KubeApiError(`${url.pathname}: response larger than ${MAX_RESPONSE_BYTES} bytes`),
              );
            } else chunks.push(chunk);
          });
          response.on('end', () =>
            resolve({
              statusCode: response.statusCode ?? 0,
              contentType: String(response.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          response.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new KubeApiError(`${url.pathname}: no answer within the timeout`)));
      req.on('error', (error) =>
        reject(
          error instanceof KubeApiError
            ? error
            : new KubeApiError(`${this.base.origin}${url.pathname}: ${error.message}`, undefined, {
                cause: error,
              }),
        ),
      );
      req.end();
    });
  }

  /** GET `path` as JSON; a non-2xx answer is a KubeApiError carrying the server's message. */
  async getJson<T>(path: string): Promise<T> {
    const response = await this.get(path);
    if (response.statusCode < 200 || response.statusCode >= 300) {
      let message = response.body.slice(0, 200);
      try {
        message = (JSON.parse(response.body) as { message?: string }).message ?? message;
      } catch {
        // Not a Status document: keep the raw text.
      }
      throw new KubeApiError(`GET ${path}: ${response.statusCode} ${message}`, response.statusCode);
    }
    try {
      return JSON.parse(response.body) as T;
    } catch (error) {
      throw new KubeApiError(`GET ${path}: the answer is not JSON`, response.statusCode, { cause: error });
    }
  }

  /** /readyz: ok, or why not (the server's text, or the connection error). Never throws. */
  async readyz(): Promise<{ ok: boolean; detail: string }> {
    try {
      const response = await this.get('/readyz', { accept: 'text/plain' });
      return { ok: response.statusCode === 200, detail: response.body.trim() || String(response.statusCode) };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** /version: the server's gitVersion (e.g. `v1.31.2`). */
  async version(): Promise<string> {
    return (await this.getJson<{ gitVersion: string }>('/version')).gitVersion;
  }

  /** Every node, following `continue` tokens. */
  async listNodes(): Promise<KubeNode[]> {
    const nodes: KubeNode[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ limit: '500', ...(token ? { continue: token } : {}) });
      const page = await this.getJson<NodeList>(`/api/v1/nodes?${query}`);
      nodes.push(...(page.items ?? []));
      token = page.metadata?.continue || undefined;
    } while (token);
    return nodes;
  }
}
