/**
 * The plan and export use cases' dependencies: the workflows' own (functions/steps/runtime.ts, from the
 * same environment), so a plan renders exactly what an update would. The local server installs the
 * local engine's instead (App.workflowDeps).
 */
import type { ExportDeps } from '../../lib/service/export.ts';
import type { PlanDeps } from '../../lib/service/plan.ts';
import type { WorkflowDeps } from '../../lib/workflow/deps.ts';
import { exportSources, planSources } from '../../lib/workflow/update-preview.ts';
import { workflowDepsFromEnv } from '../steps/runtime.ts';
import { type App, app } from './app.ts';

const built = new WeakMap<App, WorkflowDeps>();

function workflowDeps(current: App): WorkflowDeps {
  let deps = current.workflowDeps ?? built.get(current);
  if (!deps) {
    deps = workflowDepsFromEnv(process.env);
    built.set(current, deps);
  }
  return deps;
}

export function planDeps(): PlanDeps {
  const current = app();
  return { store: current.store, sources: planSources(workflowDeps(current)) };
}

export function exportDeps(): ExportDeps {
  const current = app();
  return { store: current.store, sources: exportSources(workflowDeps(current)) };
}
