/** Renders the stacks and node configs, uploads them, and returns the plan of stacks. */
import { renderStacks } from '../../lib/workflow/stacks.ts';
import { defineStep } from './define.ts';
import { operationInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('render-stacks', operationInput, renderStacks);
export const handler = lambdaHandler(step);
