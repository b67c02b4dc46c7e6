/**
 * SigV4 for calls to kaws's API on AWS (API Gateway with IAM authorization, service `execute-api`):
 * the CLI signs each request with the caller's credentials from the default provider chain (env,
 * profile, SSO, instance role, ...). Local endpoints are never signed.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The region of an API Gateway default endpoint host (`<id>.execute-api.<region>.amazonaws.com`), else undefined. */
export function executeApiRegion(hostname: string): string | undefined {
  return EXECUTE_API_HOST.exec(hostname.toLowerCase())?.[1];
}

export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Returns the headers to send: the request's own plus `authorization`, `x-amz-date` (and a session token). */
export type RequestSigner = (request: SignableRequest) => Promise<Record<string, string>>;

/** A signer for API Gateway in `region`; `credentials` default to the AWS SDK's provider chain. */
export function createApiRequestSigner(options: {
  region: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Fixed signing time (tests). */
  signingDate?: Date;
}): RequestSigner {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials ?? fromNodeProviderChain(),
    sha256: Sha256,
  });
  return async ({ method, url, headers, body }) => {
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const existing = query[name];
      query[name] =
        existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const signed = await signer.sign(
      {
        method: method.toUpperCase(),
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        // The host header is signed; fetch sends the same.
        headers: { ...headers, host: url.host },
        ...(body !== undefined ? { body } : {}),
      },
      options.signingDate ? { signingDate: options.signingDate } : {},
    );
    const { host: _host, ...rest } = signed.headers;
    return rest;
  };
}
