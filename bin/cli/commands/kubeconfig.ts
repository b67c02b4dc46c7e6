/**
 * `kaws kubeconfig NAME [--ttl 1h]`: a kubeconfig for the cluster on standard output (redirect it to a
 * file: `kaws kubeconfig prod-east > kc && kubectl --kubeconfig kc get nodes`), with a client certificate
 * for you that expires after --ttl (default 1 h, at most 24 h). Who it is for and when it expires go to
 * standard error.
 */
import type { Command } from 'commander';
import type { KubeconfigView } from '../../../functions/shared/api-schemas.ts';
import { type ApiOptions, apiFrom, segment, withApiOptions } from '../api-client.ts';

interface KubeconfigOptions extends ApiOptions {
  ttl?: string;
}

export function register(program: Command): void {
  withApiOptions(
    program
      .command('kubeconfig')
      .description('a kubeconfig for the cluster, with a short-lived client certificate for you, to stdout')
      .argument('<name>', 'the cluster')
      .option(
        '--ttl <duration>',
        "the certificate's lifetime: seconds, or 90m, 2h (default 1h, at most 24h)",
      ),
  ).action(async (name: string, options: KubeconfigOptions) => {
    const api = apiFrom(options);
    const query = options.ttl !== undefined ? `?${new URLSearchParams({ ttl: options.ttl })}` : '';
    const issued = (
      await api.request<KubeconfigView>('POST', `/clusters/${segment(name)}/kubeconfig${query}`)
    ).body;
    process.stdout.write(issued.kubeconfig.endsWith('\n') ? issued.kubeconfig : `${issued.kubeconfig}\n`);
    process.stderr.write(
      `kaws: kubeconfig for ${issued.user} (${issued.groups.join(', ')}) on ${issued.server}, expires ${issued.expiresAt}\n`,
    );
  });
}
