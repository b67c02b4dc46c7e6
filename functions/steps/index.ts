/**
 * Every workflow step, by its function key in serverless.yml: the ASL names a step's Lambda as
 * `#{<Key>LambdaFunction.Arn}` (Key = the function key, capitalized), which serverless-step-functions
 * turns into the function's ARN at package time and the local engine maps back to this table.
 */

import { step as checkHealth } from './check-health.ts';
import { step as checkStack } from './check-stack.ts';
import { step as checkUpdate } from './check-update.ts';
import type { Step } from './define.ts';
import { step as deleteStack } from './delete-stack.ts';
import { step as deployStack } from './deploy-stack.ts';
import { step as failOperation } from './fail-operation.ts';
import { step as finishOperation } from './finish-operation.ts';
import { step as gateStack } from './gate-stack.ts';
import { step as planDelete } from './plan-delete.ts';
import { step as planUpdate } from './plan-update.ts';
import { step as removeAssets } from './remove-assets.ts';
import { step as renderCredentials } from './render-credentials.ts';
import { step as renderStacks } from './render-stacks.ts';
import { step as rollbackStack } from './rollback-stack.ts';
import { step as startOperation } from './start-operation.ts';
import { step as updateStack } from './update-stack.ts';

export const STEPS: Readonly<Record<string, Step<unknown, unknown>>> = {
  startOperation,
  renderCredentials,
  renderStacks,
  deployStack,
  checkStack,
  checkHealth,
  finishOperation,
  failOperation,
  planDelete,
  deleteStack,
  removeAssets,
  planUpdate,
  updateStack,
  checkUpdate,
  gateStack,
  rollbackStack,
};

/** `#{RenderCredentialsLambdaFunction.Arn}` -> `renderCredentials`; undefined for any other resource. */
export function stepKeyOfResource(resource: string): string | undefined {
  const match = /^#\{([A-Z][A-Za-z0-9]*)LambdaFunction\.Arn\}$/.exec(resource);
  const name = match?.[1];
  return name ? `${name[0]?.toLowerCase()}${name.slice(1)}` : undefined;
}
