/** After a failed stack update or gate: the stack back on the template it ran before the update. */
import { rollbackStack } from '../../lib/workflow/update-stacks.ts';
import { defineStep } from './define.ts';
import { lambdaHandler } from './runtime.ts';
import { rollbackInput } from './update-inputs.ts';

export const step = defineStep('rollback-stack', rollbackInput, rollbackStack);
export const handler = lambdaHandler(step);
