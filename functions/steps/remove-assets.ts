/** Removes every object version kaws stored for the cluster (its record and history stay). */
import { removeAssets } from '../../lib/workflow/assets.ts';
import { defineStep } from './define.ts';
import { operationInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('remove-assets', operationInput, removeAssets);
export const handler = lambdaHandler(step);
