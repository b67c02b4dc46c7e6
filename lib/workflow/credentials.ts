/**
 * render-credentials: the cluster's TLS assets (lib/tls), sealed with KMS (lib/aws/envelope.ts) and
 * stored in S3: the full set in kaws's own envelope (s3Keys.clusterEnvelope, under kaws's key) and each
 * node role's subset in its role envelope (what nodes fetch at boot). The stored set is the `previous`
 * of the next render: a retried or repeated step reuses the CA and every asset that is still right,
 * seals nothing new and writes no object.
 */

import { readEnvelope, writeEnvelope } from '../aws/assets.ts';
import { type Envelope, openEnvelope, sealEnvelope } from '../aws/envelope.ts';
import { artifactKey, artifactLocationFor, roleAssets } from '../render/input.ts';
import { type NodeRole, s3Keys, stepNames } from '../render/naming.ts';
import type { ClusterSpec } from '../spec/types.ts';
import {
  CaValidationError,
  credentialFilesOf,
  pkiRequestFromSpec,
  renderTlsAssets,
  storedAssetsFromFiles,
  TlsRenderError,
} from '../tls/index.ts';
import { nodeAssetsKeyArn, type WorkflowDeps } from './deps.ts';
import { StepError } from './errors.ts';
import { type OperationInput, recordStep } from './operation.ts';

const NODE_ROLES: NodeRole[] = ['etcd', 'controller', 'worker'];

/** The spec an operation applies. */
export async function specOf(deps: WorkflowDeps, input: OperationInput): Promise<ClusterSpec> {
  const spec = await deps.store.getSpec(input.clusterName, input.specVersion);
  if (!spec) {
    throw new StepError(
      'SpecNotFound',
      `cluster ${input.clusterName} has no spec version ${input.specVersion}`,
    );
  }
  return spec;
}

/** Where the spec's node artifacts (role envelopes, node configs, large templates) go. */
export function artifactsOf(deps: WorkflowDeps, spec: ClusterSpec) {
  const location = artifactLocationFor(spec, deps.settings.bucket, deps.settings.bucketKeyArn);
  if (!location)
    throw new StepError('RenderFailed', `s3URI ${spec.s3URI} is not an s3://bucket[/prefix] URI`);
  return location;
}

async function openAll(deps: WorkflowDeps, envelope: Envelope | undefined, cluster: string) {
  if (!envelope) return new Map<string, string>();
  const opened = await openEnvelope({ kms: deps.kms, envelope, cluster });
  return new Map(Object.entries(opened).map(([name, bytes]) => [name, bytes.toString('utf8')]));
}

export interface CredentialsResult {
  /** The assets this render created or replaced (empty on a retry or an unchanged spec). */
  changed: string[];
  /** The S3 objects written (none when nothing changed). */
  written: string[];
}

/** `ca, service-account: generated; apiserver, worker: a new CA was generated`. */
function byReason(changes: ReadonlyArray<{ asset: string; reason: string }>): string {
  const groups = new Map<string, string[]>();
  for (const change of changes)
    groups.set(change.reason, [...(groups.get(change.reason) ?? []), change.asset]);
  return [...groups].map(([reason, assets]) => `${assets.join(', ')}: ${reason}`).join('; ');
}

export async function renderCredentials(
  deps: WorkflowDeps,
  input: OperationInput,
): Promise<CredentialsResult> {
  const spec = await specOf(deps, input);
  const cluster = spec.clusterName;
  const { bucket } = deps.settings;
  const clusterKey = s3Keys.clusterEnvelope(cluster);
  const stored = await readEnvelope(deps.s3, bucket, clusterKey);
  const previous = await openAll(deps, stored, cluster);

  let rendered: Awaited<ReturnType<typeof renderTlsAssets>>;
  try {
    rendered = await renderTlsAssets(
      {
        request: pkiRequestFromSpec(spec),
        previous: storedAssetsFromFiles((name) => previous.get(name)),
        generateCa: true,
      },
      deps.tls(deps.clock.now()),
    );
  } catch (error) {
    if (error instanceof TlsRenderError || error instanceof CaValidationError) {
      throw new StepError('CredentialsFailed', error.message, { cause: error });
    }
    throw error;
  }
  const files = Object.fromEntries(credentialFilesOf(rendered.assets).map((f) => [f.name, f.contents]));
  previous.clear();

  const written: string[] = [];
  const sealed = await sealEnvelope({
    kms: deps.kms,
    keyId: deps.settings.kmsKeyArn,
    cluster,
    assets: files,
    ...(stored ? { previous: stored } : {}),
  });
  if (await writeEnvelope(deps.s3, bucket, clusterKey, sealed, stored)) written.push(clusterKey);

  const artifacts = artifactsOf(deps, spec);
  const nodeKey = nodeAssetsKeyArn(deps, spec);
  for (const role of NODE_ROLES) {
    const key = artifactKey(artifacts, s3Keys.roleEnvelope(cluster, role));
    const roleStored = await readEnvelope(deps.s3, artifacts.bucket, key);
    const subset = Object.fromEntries(
      roleAssets[role].map((name) => {
        const contents = files[name];
        if (contents === undefined) throw new StepError('CredentialsFailed', `no ${name} was rendered`);
        return [name, contents];
      }),
    );
    const roleSealed = await sealEnvelope({
      kms: deps.kms,
      keyId: nodeKey,
      cluster,
      assets: subset,
      ...(roleStored ? { previous: roleStored } : {}),
    });
    if (await writeEnvelope(deps.s3, artifacts.bucket, key, roleSealed, roleStored)) written.push(key);
  }

  const changed = rendered.changes.map((c) => c.asset);
  await recordStep(deps, input.operationId, {
    name: stepNames.renderCredentials,
    status: 'SUCCEEDED',
    message:
      changed.length === 0
        ? 'stored credentials reused'
        : `rendered ${changed.length} assets (${byReason(rendered.changes)})`,
  });
  return { changed, written };
}

/** The SHA-256 of every stored asset (what lib/render needs), read from the envelope without KMS. */
export async function storedFingerprints(
  deps: WorkflowDeps,
  clusterName: string,
): Promise<Record<string, { fingerprint: string }>> {
  const envelope = await readEnvelope(deps.s3, deps.settings.bucket, s3Keys.clusterEnvelope(clusterName));
  if (!envelope) {
    throw new StepError(
      'RenderFailed',
      `cluster ${clusterName} has no stored credentials; render them first`,
    );
  }
  return Object.fromEntries(
    Object.entries(envelope.assets).map(([name, asset]) => [name, { fingerprint: asset.sha256 }]),
  );
}
