/**
 * The input of the update steps, as statemachines/update-cluster.asl.json passes it, checked before
 * the step runs (a malformed input is an InvalidStepInput failure naming the fields).
 */
import * as z from 'zod';
import { operationInput } from './inputs.ts';

const stackRef = z.object({
  name: z.string().min(1),
  kind: z.enum(['network', 'etcd', 'control-plane', 'nodepool']),
  nodePool: z.string().optional(),
});

const values = z.record(z.string(), z.string());

const stackChange = z.object({
  stack: stackRef,
  action: z.enum(['create', 'update']),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  parameters: values,
  previous: z
    .object({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/), parameters: values, tags: values })
    .optional(),
  position: z.object({ index: z.number().int().positive(), total: z.number().int().positive() }).optional(),
});

const updatePoll = z.object({
  purpose: z.enum(['update', 'rollback']),
  action: z.enum(['create', 'update', 'delete', 'none']),
  done: z.boolean(),
  status: z.string().optional(),
  delaySeconds: z.number().nonnegative(),
  deadline: z.iso.datetime(),
});

const baseline = z.object({
  apiReady: z.boolean(),
  readyNodes: z.record(z.string(), z.number().int().nonnegative()),
  detail: z.string(),
});

export const changeInput = operationInput.extend({ change: stackChange });

export const checkUpdateInput = changeInput.extend({ poll: updatePoll });

export const gateInput = changeInput.extend({
  baseline,
  gate: z.object({ deadline: z.iso.datetime() }).loose().optional(),
});

export const rollbackInput = changeInput.extend({
  failure: z.object({ Error: z.string(), Cause: z.string().optional() }).loose(),
});
