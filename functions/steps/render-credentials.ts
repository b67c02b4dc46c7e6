/** Renders the TLS assets (reusing the stored CA and every still-valid asset) and stores them sealed with KMS. */
import { renderCredentials } from '../../lib/workflow/credentials.ts';
import { defineStep } from './define.ts';
import { operationInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('render-credentials', operationInput, renderCredentials);
export const handler = lambdaHandler(step);
