/** Where every Catch leads: the cluster *_FAILED with the failed step and reason, lock released, published. */
import { failOperation } from '../../lib/workflow/operation.ts';
import { defineStep } from './define.ts';
import { failInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('fail-operation', failInput, failOperation);
export const handler = lambdaHandler(step);
