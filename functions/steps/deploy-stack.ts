/** Starts creating one stack (ClientRequestToken per operation and stack: a retry creates nothing twice). */
import { deployStack } from '../../lib/workflow/stacks.ts';
import { defineStep } from './define.ts';
import { stackInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('deploy-stack', stackInput, deployStack);
export const handler = lambdaHandler(step);
