/** One look at the cluster's health: /readyz over mutual TLS and every pool's Ready nodes. */
import { checkHealth } from '../../lib/workflow/health.ts';
import { defineStep } from './define.ts';
import { healthInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('check-health', healthInput, checkHealth);
export const handler = lambdaHandler(step);
