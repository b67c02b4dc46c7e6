/**
 * A workflow starter that starts nothing: operations stay PENDING (with the cluster's lock held) until
 * something drives them through the store. Used locally until the local workflow engine exists, and on
 * AWS when no state machines are configured.
 */
import type { WorkflowStarter } from './ports.ts';

export class PendingWorkflowStarter implements WorkflowStarter {
  async start(): Promise<{ executionArn?: string }> {
    return {};
  }
}
