/** The stacks a delete removes: the spec's and any other node pool stack of the cluster. */
import { planDelete } from '../../lib/workflow/stacks.ts';
import { defineStep } from './define.ts';
import { operationInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('plan-delete', operationInput, planDelete);
export const handler = lambdaHandler(step);
