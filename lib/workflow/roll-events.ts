/**
 * Node Pool Roll Progress: each phase of a node pool's roll (started, gate passed, failed, rolled back)
 * is a step recorded on the operation with a history entry, then published on the bus with that
 * entry's id as `eventId` (a retried step records nothing twice and re-publishes the same id, so
 * consumers dedupe). The detail is documented in schemas/events/node-pool-roll-progress.json.
 */
import { events as eventNames, stepNames } from '../render/naming.ts';
import type { OperationType } from '../service/cluster-status.ts';
import type { OperationStep, StepStatus } from '../service/model.ts';
import type { WorkflowDeps } from './deps.ts';
import { type OperationInput, recordStep } from './operation.ts';
import type { StackChange } from './update-plan.ts';

export const ROLL_PHASES = ['STARTED', 'GATE_PASSED', 'FAILED', 'ROLLED_BACK'] as const;
export type RollPhase = (typeof ROLL_PHASES)[number];

export interface NodePoolRollProgressDetail {
  eventId: string;
  clusterName: string;
  operationId: string;
  operationType: OperationType;
  nodePool: string;
  stackName: string;
  phase: RollPhase;
  /** The pool's place in the roll (1-based) and how many pools roll in this operation. */
  position: number;
  poolsRolling: number;
  reason?: string;
  caller: string;
  time: string;
}

/** The operation step and status a phase is recorded as. */
export function stepOfPhase(
  change: Pick<StackChange, 'stack'>,
  phase: RollPhase,
): { name: string; status: StepStatus } {
  const pool = change.stack.nodePool ?? change.stack.name;
  switch (phase) {
    case 'STARTED':
      return { name: stepNames.rollNodePool(pool), status: 'IN_PROGRESS' };
    case 'GATE_PASSED':
      return { name: stepNames.rollNodePool(pool), status: 'SUCCEEDED' };
    case 'FAILED':
      return { name: stepNames.rollNodePool(pool), status: 'FAILED' };
    case 'ROLLED_BACK':
      return { name: stepNames.rollbackStack(change.stack.name), status: 'SUCCEEDED' };
  }
}

/** How many of the newest history entries to search for the one just recorded. */
const HISTORY_WINDOW = 50;

/** Records a phase of a node pool's roll (step + history entry) and publishes it. */
export async function recordRollProgress(
  deps: WorkflowDeps,
  input: OperationInput,
  change: Pick<StackChange, 'stack' | 'position'>,
  phase: RollPhase,
  message: string,
  progress?: OperationStep['progress'],
): Promise<void> {
  const pool = change.stack.nodePool;
  if (pool === undefined) return;
  const step = stepOfPhase(change, phase);
  await recordStep(deps, input.operationId, { ...step, message, ...(progress ? { progress } : {}) });
  const page = await deps.store.listEvents(input.clusterName, { limit: HISTORY_WINDOW });
  // Oldest first: a phase recorded once has one entry; were there two, the first is the phase.
  const entry = [...page.items]
    .reverse()
    .find(
      (event) =>
        event.operationId === input.operationId &&
        event.step === step.name &&
        event.stepStatus === step.status,
    );
  if (!entry) return;
  const detail: NodePoolRollProgressDetail = {
    eventId: entry.id,
    clusterName: entry.clusterName,
    operationId: entry.operationId,
    operationType: entry.operationType,
    nodePool: pool,
    stackName: change.stack.name,
    phase,
    position: change.position?.index ?? 1,
    poolsRolling: change.position?.total ?? 1,
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    caller: entry.caller,
    time: entry.time,
  };
  await deps.events.publish([
    {
      detailType: eventNames.nodePoolRollProgress,
      detail: detail as unknown as Record<string, unknown>,
      time: new Date(entry.time),
    },
  ]);
}
