/**
 * What the plan and export use cases (lib/service/plan.ts, export.ts) read of a running cluster, with
 * the workflows' own dependencies and settings, so a plan renders exactly what an update would: the
 * stored credentials (a TLS render in memory, nothing sealed or written), lib/render with the same
 * artifact location and keys, and each stack as CloudFormation runs it.
 */
import { readEnvelope } from '../aws/assets.ts';
import { listClusterStacks } from '../aws/cloudformation.ts';
import { readDeployedStack } from '../aws/cloudformation-update.ts';
import { openEnvelope, sha256Hex } from '../aws/envelope.ts';
import { RenderError, renderCluster } from '../render/index.ts';
import { s3Keys, stackNames } from '../render/naming.ts';
import type { ExportSources } from '../service/export.ts';
import type { PlanSources } from '../service/plan.ts';
import { ClusterNotRenderedError } from '../service/update-errors.ts';
import type { ClusterSpec } from '../spec/types.ts';
import {
  CaValidationError,
  credentialFilesOf,
  pkiRequestFromSpec,
  renderTlsAssets,
  storedAssetsFromFiles,
  TlsRenderError,
} from '../tls/index.ts';
import { artifactsOf, storedFingerprints } from './credentials.ts';
import { nodeAssetsKeyArn, type WorkflowDeps } from './deps.ts';
import { StepError } from './errors.ts';

type Deps = Pick<WorkflowDeps, 's3' | 'kms' | 'cloudformation' | 'clock' | 'tls' | 'settings'>;

const renderWith = (deps: Deps, spec: ClusterSpec, assets: Record<string, { fingerprint: string }>) =>
  renderCluster({
    spec,
    assets,
    artifacts: artifactsOf(deps as WorkflowDeps, spec),
    kmsKeyArn: nodeAssetsKeyArn(deps, spec),
  });

export function planSources(deps: Deps): PlanSources {
  return {
    async credentials(spec) {
      const envelope = await readEnvelope(
        deps.s3,
        deps.settings.bucket,
        s3Keys.clusterEnvelope(spec.clusterName),
      );
      const opened = envelope
        ? await openEnvelope({ kms: deps.kms, envelope, cluster: spec.clusterName })
        : undefined;
      const previous = new Map(
        Object.entries(opened ?? {}).map(([name, bytes]) => [name, bytes.toString('utf8')]),
      );
      try {
        const rendered = await renderTlsAssets(
          {
            request: pkiRequestFromSpec(spec),
            previous: storedAssetsFromFiles((name) => previous.get(name)),
            generateCa: true,
          },
          deps.tls(deps.clock.now()),
        );
        const assets = Object.fromEntries(
          credentialFilesOf(rendered.assets).map((file) => [
            file.name,
            { fingerprint: sha256Hex(file.contents) },
          ]),
        );
        return { changes: rendered.changes, assets };
      } catch (error) {
        // What the update's render-credentials would fail with: a problem of the spec, for the plan.
        if (error instanceof TlsRenderError || error instanceof CaValidationError) {
          throw new RenderError([{ path: '', code: 'credentials', message: error.message }]);
        }
        throw error;
      } finally {
        previous.clear();
      }
    },
    render: (spec, assets) => renderWith(deps, spec, assets),
    deployedStack: (name) => readDeployedStack(deps.cloudformation, name),
    nodePoolStacks: (clusterName) =>
      listClusterStacks(deps.cloudformation, clusterName, stackNames.nodePool(clusterName, '')),
  };
}

export function exportSources(deps: Deps): ExportSources {
  return {
    async render(cluster) {
      let assets: Record<string, { fingerprint: string }>;
      try {
        assets = await storedFingerprints(deps as WorkflowDeps, cluster.name);
      } catch (error) {
        if (error instanceof StepError) throw new ClusterNotRenderedError(cluster.name);
        throw error;
      }
      return renderWith(deps, cluster.spec, assets);
    },
    deployedStack: (name) => readDeployedStack(deps.cloudformation, name),
  };
}
