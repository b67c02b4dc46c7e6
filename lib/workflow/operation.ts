/**
 * The operation's own steps: start it (first state of every workflow), finish it, fail it, and record
 * the progress of the steps in between. Every transition goes through the store (one conditional
 * transaction with its history entry, idempotent), then its history entries are published on the bus.
 */
import type { OperationType } from '../service/cluster-status.ts';
import type {
  ClusterEvent,
  OperationError,
  OperationRecord,
  OperationStep,
  StepStatus,
} from '../service/model.ts';
import type { WorkflowDeps } from './deps.ts';
import { StepError } from './errors.ts';
import { busEventsOf } from './events.ts';

/** What every workflow starts with: lib/service/ports.ts WorkflowInput, as the starter sends it. */
export interface OperationInput {
  operationId: string;
  clusterName: string;
  type: OperationType;
  specVersion: number;
}

/** How many of the newest history entries to search for an operation's status changes. */
const HISTORY_WINDOW = 50;

/**
 * Publishes the operation's status-change history entries of the given types (their ids are the
 * events' ids: publishing again repeats them, it never invents new ones).
 */
async function publishHistory(
  deps: WorkflowDeps,
  operation: Pick<OperationRecord, 'id' | 'clusterName'>,
  types: ReadonlyArray<ClusterEvent['type']>,
  failure?: OperationError & { step?: string },
): Promise<void> {
  const page = await deps.store.listEvents(operation.clusterName, { limit: HISTORY_WINDOW });
  const entries = page.items
    .filter((event) => event.operationId === operation.id && types.includes(event.type))
    .reverse();
  await deps.events.publish(entries.flatMap((event) => busEventsOf(event, failure)));
}

async function readOperation(deps: WorkflowDeps, operationId: string): Promise<OperationRecord> {
  const operation = await deps.store.getOperation(operationId);
  if (!operation) throw new StepError('OperationNotRunnable', `operation ${operationId} does not exist`);
  return operation;
}

const sameProgress = (
  a: Pick<OperationStep, 'message' | 'progress'>,
  b: Pick<OperationStep, 'message' | 'progress'>,
) => a.message === b.message && JSON.stringify(a.progress) === JSON.stringify(b.progress);

/**
 * Records a step's status on the operation (with a history entry when `history`). Idempotent: a step
 * already recorded with this status and message is not written again, so a retried step adds no
 * duplicate history.
 */
export async function recordStep(
  deps: WorkflowDeps,
  operationId: string,
  step: { name: string; status: StepStatus; message?: string; progress?: OperationStep['progress'] },
  history = true,
): Promise<void> {
  const operation = await readOperation(deps, operationId);
  const existing = operation.steps.find((s) => s.name === step.name);
  const finished = step.status === 'SUCCEEDED' || step.status === 'FAILED' || step.status === 'SKIPPED';
  const existingFinished =
    existing?.status === 'SUCCEEDED' || existing?.status === 'FAILED' || existing?.status === 'SKIPPED';
  // A finished step stays as first recorded: a retried step (whose first run finished it) neither
  // reopens it nor records it again, whatever its message says this time.
  if (
    existing &&
    (existingFinished || (existing.status === step.status && (finished || sameProgress(existing, step))))
  ) {
    return;
  }
  const now = deps.clock.now().toISOString();
  await deps.store.recordStep({
    operationId,
    now: deps.clock.now(),
    eventId: deps.ids.next(),
    historyEvent: history,
    step: {
      name: step.name,
      status: step.status,
      ...(step.message !== undefined ? { message: step.message } : {}),
      ...(step.progress ? { progress: step.progress } : {}),
      startedAt: existing?.startedAt ?? now,
      ...(finished ? { finishedAt: now } : {}),
    },
  });
}

/**
 * First state of every workflow: the operation goes *_PENDING -> *_IN_PROGRESS. An operation that
 * already finished (its start was refused, or it was failed meanwhile) is not run: OperationNotRunnable.
 */
export async function startOperation(deps: WorkflowDeps, input: OperationInput): Promise<{ started: true }> {
  const operation = await readOperation(deps, input.operationId);
  if (operation.status === 'FAILED' || operation.status === 'SUCCEEDED') {
    throw new StepError(
      'OperationNotRunnable',
      `operation ${operation.id} is already ${operation.status}; its workflow does nothing`,
    );
  }
  await deps.store.startOperation({
    operationId: input.operationId,
    now: deps.clock.now(),
    eventId: deps.ids.next(),
  });
  // The API records the request without publishing; the workflow publishes it with the start.
  await publishHistory(deps, operation, ['OPERATION_REQUESTED', 'OPERATION_STARTED']);
  return { started: true };
}

/** Last state of a successful workflow: ACTIVE (create) or DELETED (delete), lock released. */
export async function finishOperation(
  deps: WorkflowDeps,
  input: OperationInput & { outputs?: Record<string, string> },
): Promise<{ finished: true }> {
  const operation = await deps.store.succeedOperation({
    operationId: input.operationId,
    now: deps.clock.now(),
    eventId: deps.ids.next(),
    ...(input.outputs ? { outputs: input.outputs } : {}),
  });
  await publishHistory(deps, operation, ['OPERATION_SUCCEEDED']);
  return { finished: true };
}

/** What a Catch puts at `$.failed.<State>`: the error's name and cause (Lambda's JSON or plain text). */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

const MAX_REASON_LENGTH = 1000;

/** The message of a caught error's Cause: Lambda wraps it as JSON ({errorType, errorMessage, trace}). */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Plain text (the local engine, or a Step Functions error).
  }
  return cause;
}

/** `DeployNetworkStack` -> `deploy-network-stack`: the step name of an ASL state. */
export const stepOfState = (state: string) =>
  state
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();

/**
 * Where every Catch leads: the failed state's step is recorded FAILED, the operation and cluster go
 * *_FAILED with the error (lock released), and the change is published. `failed` holds one entry,
 * keyed by the state that failed (each Catch has its own ResultPath).
 */
export async function failOperation(
  deps: WorkflowDeps,
  input: OperationInput & { failed: Record<string, CaughtError> },
): Promise<{ error: OperationError & { step: string } }> {
  const [state, caught] = Object.entries(input.failed ?? {})[0] ?? ['Workflow', { Error: 'Unknown' }];
  const reason = causeMessage(caught.Cause).slice(0, MAX_REASON_LENGTH);
  const operation = await readOperation(deps, input.operationId);
  // A step that knew it failed recorded itself (e.g. deploy-stack:<stack>): name that one.
  const recorded = operation.steps.find((s) => s.status === 'FAILED');
  const step = recorded?.name ?? stepOfState(state);
  const error = { code: caught.Error, message: `${step} failed: ${reason}`, step };
  if (operation.status === 'IN_PROGRESS' && !recorded) {
    await recordStep(deps, operation.id, { name: step, status: 'FAILED', message: reason }, false);
  }
  await deps.store.failOperation({
    operationId: input.operationId,
    now: deps.clock.now(),
    eventId: deps.ids.next(),
    error: { code: error.code, message: error.message },
  });
  await publishHistory(deps, operation, ['OPERATION_FAILED'], error);
  return { error };
}
