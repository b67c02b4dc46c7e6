/**
 * POST /clusters/{name}/plan: what applying a candidate spec would do, without changing anything: the
 * validation errors, which certificates would be reissued, which stacks would be created, updated or
 * left alone (and which of their resources change), the order the node pools would roll in, and the
 * node pool stacks that would be deleted. The stack diff is a template diff against what each stack
 * runs (lib/service/plan-stacks.ts; `backend` says so), the same the update workflow acts on.
 */
import { RenderError, type RenderedCluster } from '../render/index.ts';
import { stackNames } from '../render/naming.ts';
import type { ClusterSpec, SpecIssue } from '../spec/types.ts';
import { isPlausibleClusterName } from './cluster-queries.ts';
import { ClusterNotFoundError, InvalidSpecError, MalformedSpecError, SpecTooLargeError } from './errors.ts';
import { type DeployedStackFacts, diffStack, type StackDiff } from './plan-stacks.ts';
import type { ClusterStore } from './ports.ts';
import { assertSpecNames, readSpec, type SpecFormat, validateSpecText } from './spec-input.ts';

/** What the plan reads of the running cluster (lib/workflow/update-preview.ts implements it). */
export interface PlanSources {
  /**
   * The certificates a render of `spec` with the stored credentials would create or replace, and the
   * fingerprints of the assets the stacks would then be rendered with (nothing is stored).
   */
  credentials(spec: ClusterSpec): Promise<{
    changes: Array<{ asset: string; reason: string }>;
    assets: Record<string, { fingerprint: string }>;
  }>;
  /** lib/render with the cluster's artifact location and keys. */
  render(spec: ClusterSpec, assets: Record<string, { fingerprint: string }>): RenderedCluster;
  deployedStack(name: string): Promise<DeployedStackFacts>;
  /** The names of the cluster's node pool stacks that exist (tagged with the cluster). */
  nodePoolStacks(clusterName: string): Promise<string[]>;
}

export interface PlanDeps {
  store: Pick<ClusterStore, 'getCluster'>;
  sources: PlanSources;
}

export interface ClusterPlan {
  clusterName: string;
  /** The spec version the plan compares with (the cluster's ETag). */
  currentSpecVersion: number;
  valid: boolean;
  errors: SpecIssue[];
  warnings: SpecIssue[];
  /** How stack changes were found: a template diff against GetTemplate (no change sets). */
  backend: 'template-diff';
  /** Every stack of the candidate spec, in update order, with what an update would do to it. */
  stacks: StackDiff[];
  /** The node pools an update would roll, in order (one at a time, each behind a health gate). */
  nodePoolRoll: string[];
  /** Node pools whose stacks exist but the candidate spec does not name: deleted after the roll. */
  removedNodePools: string[];
  /** Certificates (and keys) the update would create or replace, with why. */
  certificates: Array<{ asset: string; reason: string }>;
}

/** Plans an update of `clusterName` to the spec in `specText`. Invalid specs are a result, not an error. */
export async function planClusterUpdate(
  deps: PlanDeps,
  input: { clusterName: string; specText: string | Uint8Array; format: SpecFormat },
): Promise<ClusterPlan> {
  if (!isPlausibleClusterName(input.clusterName)) throw new ClusterNotFoundError(input.clusterName);
  const cluster = await deps.store.getCluster(input.clusterName);
  if (!cluster || cluster.status === 'DELETED') throw new ClusterNotFoundError(input.clusterName);
  const empty = {
    clusterName: cluster.name,
    currentSpecVersion: cluster.specVersion,
    backend: 'template-diff' as const,
    stacks: [],
    nodePoolRoll: [],
    removedNodePools: [],
    certificates: [],
  };
  const checked = validateSpecText(input.specText, input.format);
  if (!checked.valid || !checked.spec) {
    // Text that is not a document, or too large, is a bad request as for PUT; a bad spec is the plan's answer.
    try {
      readSpec(input.specText, input.format);
    } catch (error) {
      if (error instanceof MalformedSpecError || error instanceof SpecTooLargeError) throw error;
    }
    return { ...empty, valid: false, errors: checked.errors, warnings: checked.warnings };
  }
  const spec = checked.spec;
  try {
    assertSpecNames(spec, cluster.name);
  } catch (error) {
    if (!(error instanceof InvalidSpecError)) throw error;
    return { ...empty, valid: false, errors: error.errors, warnings: checked.warnings };
  }
  let credentials: Awaited<ReturnType<PlanSources['credentials']>>;
  let rendered: RenderedCluster;
  try {
    credentials = await deps.sources.credentials(spec);
    rendered = deps.sources.render(spec, credentials.assets);
  } catch (error) {
    // What the update would fail with (RenderFailed, CredentialsFailed): the spec's problems.
    if (!(error instanceof RenderError)) throw error;
    return { ...empty, valid: false, errors: error.issues, warnings: checked.warnings };
  }
  const stacks: StackDiff[] = [];
  for (const stack of rendered.stacks) {
    stacks.push(diffStack(stack, await deps.sources.deployedStack(stack.name)));
  }
  const named = new Set(rendered.stacks.map((s) => s.name));
  const prefix = stackNames.nodePool(cluster.name, '');
  const removed = (await deps.sources.nodePoolStacks(cluster.name)).filter((name) => !named.has(name));
  return {
    ...empty,
    valid: true,
    errors: [],
    warnings: checked.warnings,
    stacks,
    nodePoolRoll: stacks
      .filter((s) => s.kind === 'nodepool' && s.action !== 'unchanged')
      .map((s) => s.nodePool ?? s.name),
    removedNodePools: removed.map((name) => name.slice(prefix.length)),
    certificates: credentials.changes,
  };
}
