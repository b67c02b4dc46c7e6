/**
 * The use cases' dependencies for the functions that start workflows (create, update, delete): the shared
 * App plus the workflow starter, built from the configuration on first use: Step Functions when the state
 * machines are configured, otherwise a starter that leaves operations PENDING (with a warning).
 */
import { createSfnClient } from '../../lib/aws/clients.ts';
import { SfnWorkflowStarter } from '../../lib/aws/sfn-workflow-starter.ts';
import type { ServiceDeps } from '../../lib/service/clusters.ts';
import { PendingWorkflowStarter } from '../../lib/service/pending-workflow-starter.ts';
import { app } from './app.ts';
import { logger } from './logger.ts';

export function mutationDeps(): ServiceDeps {
  const current = app();
  if (!current.workflows) {
    const machines = current.config.stateMachines;
    if (!machines) logger.warn('no state machines configured: operations stay PENDING');
    current.workflows = machines
      ? new SfnWorkflowStarter(createSfnClient(current.config.aws), machines)
      : new PendingWorkflowStarter();
  }
  return { store: current.store, workflows: current.workflows, clock: current.clock, ids: current.ids };
}
