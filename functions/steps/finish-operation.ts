/** Marks the operation succeeded (ACTIVE or DELETED, lock released) with the cluster outputs, and publishes it. */
import { finishOperation } from '../../lib/workflow/operation.ts';
import { clusterOutputs } from '../../lib/workflow/outputs.ts';
import { defineStep } from './define.ts';
import { operationInput } from './inputs.ts';
import { lambdaHandler } from './runtime.ts';

export const step = defineStep('finish-operation', operationInput, async (deps, input) =>
  finishOperation(deps, {
    ...input,
    // A delete keeps the outputs the cluster had; a create reports its endpoint.
    ...(input.type === 'DELETE' ? {} : { outputs: await clusterOutputs(deps, input) }),
  }),
);
export const handler = lambdaHandler(step);
