/**
 * The input of each step, as the state machines pass it (statemachines/*.asl.json Parameters),
 * checked before the step runs: a malformed input is an InvalidStepInput failure naming the fields,
 * never a crash deep inside a use case.
 */
import * as z from 'zod';
import { OPERATION_TYPES } from '../../lib/service/cluster-status.ts';

export const operationInput = z.object({
  operationId: z.string().min(1),
  clusterName: z.string().min(1),
  type: z.enum(OPERATION_TYPES),
  specVersion: z.number().int().positive(),
});

const stackRef = z.object({
  name: z.string().min(1),
  kind: z.enum(['network', 'etcd', 'control-plane', 'nodepool']),
  nodePool: z.string().optional(),
});

const stackPoll = z.object({
  stack: stackRef,
  done: z.boolean(),
  status: z.string().optional(),
  delaySeconds: z.number().nonnegative(),
  deadline: z.iso.datetime(),
});

export const stackInput = operationInput.extend({ stack: stackRef });

export const checkStackInput = operationInput.extend({
  poll: stackPoll,
  mode: z.enum(['create', 'delete']),
});

export const healthInput = operationInput.extend({
  health: z.object({ deadline: z.iso.datetime() }).loose().optional(),
});

export const failInput = operationInput.extend({
  failed: z.record(z.string(), z.object({ Error: z.string(), Cause: z.string().optional() }).loose()),
});
