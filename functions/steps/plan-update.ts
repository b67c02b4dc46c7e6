/** Renders the new spec, keeps each stack's running template, decides what changes, takes the gates' baseline. */
import { planUpdate } from '../../lib/workflow/update-plan.ts';
import { defineStep } from './define.ts';
import { operationInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('plan-update', operationInput, planUpdate);
export const handler = lambdaHandler(step);
