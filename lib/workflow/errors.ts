/**
 * The errors a workflow step throws, by the names the ASL Retry and Catch blocks match
 * (statemachines/*.asl.json). A Lambda's error name is the thrown error's `name`, so each class sets it.
 *
 * Only TransientAwsError is retried by the workflows (with backoff); every other error is caught and
 * ends the operation in *_FAILED with the step and this message.
 */

export const STEP_ERROR_NAMES = [
  'TransientAwsError',
  'OperationNotRunnable',
  'InvalidStepInput',
  'SpecNotFound',
  'CredentialsFailed',
  'RenderFailed',
  'StackFailed',
  'StackDeleteFailed',
  'StackTimeout',
  'StackNameTaken',
  'HealthTimeout',
  'AssetRemovalFailed',
  // Update: a stack's health gate did not pass in time (the roll stops there and that stack rolls back).
  'GateFailed',
  'RollbackFailed',
] as const;
export type StepErrorName = (typeof STEP_ERROR_NAMES)[number];

/** A named step failure; `message` says what failed and why, in words for the operation's error. */
export class StepError extends Error {
  constructor(
    override readonly name: StepErrorName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** AWS error names (codes) that mean "try again later", across the services the steps call. */
const TRANSIENT_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'TransactionConflictException',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServiceError',
  'KMSInternalException',
  'DependencyTimeoutException',
  'RequestTimeout',
  'RequestTimeoutException',
  'PriorRequestNotComplete',
  'TimeoutError',
  // lib/store: a conditional write that kept losing races; the next attempt reads again.
  'ConcurrentModificationError',
]);

const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/** Whether an error from an AWS SDK call (or the network under it) is worth retrying. */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  const details = error as Error & {
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    code?: string;
  };
  if (details.$retryable) return true;
  const status = details.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return details.code !== undefined && TRANSIENT_NETWORK_CODES.has(details.code);
}

/**
 * What a step handler throws for `error`: a StepError as it is, a transient AWS failure as
 * TransientAwsError (retried by the ASL), anything else as it is (caught by the ASL, named by its own
 * class: EnvelopeError, RenderError, OperationStateError, ...).
 */
export function toStepError(error: unknown): Error {
  if (error instanceof StepError) return error;
  if (isTransientAwsError(error)) {
    const original = error as Error;
    return new StepError('TransientAwsError', `${original.name}: ${original.message}`, { cause: error });
  }
  if (error instanceof Error) return error;
  return new Error(String(error));
}
