/**
 * A workflow starter that starts nothing: operations stay PENDING (with the cluster's lock held) until
 * something drives them through the store. Used on AWS when no state machines are configured (with a
 * warning), and by tests that drive operations through the store themselves.
 */
import type { WorkflowStarter } from './ports.ts';

export class PendingWorkflowStarter implements WorkflowStarter {
  async start(): Promise<{ executionArn?: string }> {
    return {};
  }
}
