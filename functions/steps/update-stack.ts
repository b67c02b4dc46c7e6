/** Starts one changed stack's update (or create); a node pool's roll starts here. */
import { updateStackStep } from '../../lib/workflow/update-stacks.ts';
import { defineStep } from './define.ts';
import { lambdaHandler } from './runtime.ts';
import { changeInput } from './update-inputs.ts';

export const step = defineStep('update-stack', changeInput, updateStackStep);
export const handler = lambdaHandler(step);
