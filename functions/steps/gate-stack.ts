/** One look of a changed stack's health gate: passed, not yet (the next wait), or GateFailed past the deadline. */
import { gateStack } from '../../lib/workflow/roll-gate.ts';
import { defineStep } from './define.ts';
import { lambdaHandler } from './runtime.ts';
import { gateInput } from './update-inputs.ts';

export const step = defineStep('gate-stack', gateInput, gateStack);
export const handler = lambdaHandler(step);
