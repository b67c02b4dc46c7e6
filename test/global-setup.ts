/**
 * One local cloud for the whole test run: started before the first test file, stopped after the last.
 * Tests read it with `inject('localCloud')` (see test/support/local-cloud.ts).
 */
import type { TestProject } from 'vitest/node';
import { type KawsResources, startLocalCloud } from '../local/cloud.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    localCloud: { endpoint: string; region: string; resources: KawsResources };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const cloud = await startLocalCloud({ stackName: 'kaws-test' });
  project.provide('localCloud', {
    endpoint: cloud.endpoint,
    region: cloud.region,
    resources: cloud.resources,
  });
  return () => cloud.stop();
}
