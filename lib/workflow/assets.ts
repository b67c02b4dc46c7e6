/**
 * remove-assets: the last thing a delete does before DELETED: every object kaws stored for the
 * cluster (credential envelopes, node configs, templates), every version of it, in kaws's bucket and in
 * the spec's own s3URI location. The cluster's record and history stay in the table.
 */
import { removeAllVersions } from '../aws/assets.ts';
import { artifactKey } from '../render/input.ts';
import { s3Keys, stepNames } from '../render/naming.ts';
import { artifactsOf, specOf } from './credentials.ts';
import type { WorkflowDeps } from './deps.ts';
import { type OperationInput, recordStep } from './operation.ts';

export async function removeAssets(deps: WorkflowDeps, input: OperationInput): Promise<{ removed: number }> {
  const spec = await specOf(deps, input);
  const prefix = s3Keys.clusterPrefix(spec.clusterName);
  const places = new Map<string, string>([[`${deps.settings.bucket}\n${prefix}`, deps.settings.bucket]]);
  const artifacts = artifactsOf(deps, spec);
  places.set(`${artifacts.bucket}\n${artifactKey(artifacts, prefix)}`, artifacts.bucket);
  let removed = 0;
  for (const [place, bucket] of places) {
    removed += await removeAllVersions(deps.s3, bucket, place.split('\n')[1] as string);
  }
  await recordStep(deps, input.operationId, {
    name: stepNames.removeAssets,
    status: 'SUCCEEDED',
    message: `${removed} object versions removed`,
  });
  return { removed };
}
