/**
 * kubeconfig files (client-go's clientcmd v1 Config) as YAML, with the CA, client certificate and key
 * inlined as base64 `*-data` fields so the file is self-contained. Pure: same input, same bytes.
 */
import { Document } from 'yaml';

export interface KubeconfigInput {
  clusterName: string;
  /** The API server URL, e.g. `https://api.example.com` or `https://127.0.0.1:40123`. */
  server: string;
  /**
   * The name to verify the server certificate against when it differs from the URL's host (a loopback
   * URL in front of a server whose certificate names the API DNS name); omitted when equal.
   */
  tlsServerName?: string;
  caCertificatePem: string;
  clientCertificatePem: string;
  clientKeyPem: string;
  /** Shown in the file's header comment: who it was issued to and until when. */
  issuedTo?: string;
  expiresAt?: Date;
}

const base64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

/** Renders a kubeconfig whose single context points at the cluster with the given client certificate. */
export function renderKubeconfig(input: KubeconfigInput): string {
  const user = `${input.clusterName}-user`;
  const tlsServerName =
    input.tlsServerName && input.tlsServerName !== hostOf(input.server) ? input.tlsServerName : undefined;
  const document = new Document({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: input.clusterName,
        cluster: {
          server: input.server,
          'certificate-authority-data': base64(input.caCertificatePem),
          ...(tlsServerName ? { 'tls-server-name': tlsServerName } : {}),
        },
      },
    ],
    users: [
      {
        name: user,
        user: {
          'client-certificate-data': base64(input.clientCertificatePem),
          'client-key-data': base64(input.clientKeyPem),
        },
      },
    ],
    contexts: [{ name: input.clusterName, context: { cluster: input.clusterName, user } }],
    'current-context': input.clusterName,
    preferences: {},
  });
  const header = [`kubeconfig for cluster ${input.clusterName}, issued by kaws`];
  if (input.issuedTo) header.push(`client certificate for ${input.issuedTo}`);
  if (input.expiresAt) header.push(`expires ${input.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
  document.commentBefore = header.map((line) => ` ${line}`).join('\n');
  return document.toString({ lineWidth: 0 });
}
