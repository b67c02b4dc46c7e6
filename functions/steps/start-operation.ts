/** Marks the operation started (*_PENDING -> *_IN_PROGRESS) and publishes the request and the start. */
import { startOperation } from '../../lib/workflow/operation.ts';
import { defineStep } from './define.ts';
import { operationInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('start-operation', operationInput, startOperation);
export const handler = lambdaHandler(step);
