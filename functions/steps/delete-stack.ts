/** Starts deleting one stack (nothing to do when it is gone). */
import { deleteStackStep } from '../../lib/workflow/stacks.ts';
import { defineStep } from './define.ts';
import { stackInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('delete-stack', stackInput, deleteStackStep);
export const handler = lambdaHandler(step);
