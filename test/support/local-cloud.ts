import { inject } from 'vitest';
import { type AwsClients, createAwsClients } from '../../lib/aws/clients.ts';
import { LOCAL_CREDENTIALS } from '../../local/cloud.ts';

/** The run's shared local cloud (started by test/global-setup.ts) and clients for it. */
export function localCloud() {
  const cloud = inject('localCloud');
  const clients: AwsClients = createAwsClients({
    region: cloud.region,
    endpoint: cloud.endpoint,
    credentials: { ...LOCAL_CREDENTIALS },
  });
  return { ...cloud, clients };
}
