/** One poll of a stack being updated or rolled back: done, failed, timed out, or the next wait. */
import { checkUpdate } from '../../lib/workflow/update-stacks.ts';
import { defineStep } from './define.ts';
import { lambdaHandler } from './runtime.ts';
import { checkUpdateInput } from './update-inputs.ts';

export const step = defineStep('check-update', checkUpdateInput, checkUpdate);
export const handler = lambdaHandler(step);
