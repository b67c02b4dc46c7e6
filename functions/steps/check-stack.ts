/** One poll of a stack: done, failed with CloudFormation's reason, timed out, or the next wait. */
import { checkStack } from '../../lib/workflow/stacks.ts';
import { defineStep } from './define.ts';
import { checkStackInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('check-stack', checkStackInput, checkStack);
export const handler = lambdaHandler(step);
