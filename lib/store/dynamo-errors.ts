/** Recognizing DynamoDB's "your condition did not hold" answers, single-item and transactional. */

interface CancellationReason {
  Code?: string;
}

/** Codes of a cancelled transaction that mean "the state moved underneath; re-read and decide again". */
const RETRYABLE_REASONS = new Set(['ConditionalCheckFailed', 'TransactionConflict']);

/**
 * True when a write failed only because a condition did not hold or another transaction raced it
 * (DynamoDB's TransactionConflict), as opposed to a validation or service error.
 */
export function isConditionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ConditionalCheckFailedException') return true;
  if (error.name === 'TransactionConflictException') return true;
  if (error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  const codes = reasons.map((r) => r.Code ?? 'None').filter((code) => code !== 'None');
  return codes.length > 0 && codes.every((code) => RETRYABLE_REASONS.has(code));
}
