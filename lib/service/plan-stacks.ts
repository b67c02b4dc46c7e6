/**
 * Which stacks an update changes, decided by comparing each rendered template with the one the stack
 * runs (CloudFormation's GetTemplate): kaws renders canonical JSON, so equal templates are equal text;
 * a template CloudFormation returns reformatted is compared by its canonical form. Pure: the update
 * workflow (lib/workflow/update-plan.ts) and POST /clusters/{name}/plan share it.
 *
 * Change sets would be the AWS-native answer, but the local emulator's are not worth trusting and a
 * change set per stack costs a create, a wait and a delete: the template diff says the same thing for
 * kaws's own templates (nothing else writes them), at no cost.
 */
import { serializeTemplate, type Template } from '../render/cfn.ts';
import type { StackKind } from '../render/naming.ts';

export type StackAction = 'create' | 'update' | 'unchanged';

export interface RenderedStackFacts {
  name: string;
  kind: StackKind;
  nodePool?: string;
  template: string;
  tags: Record<string, string>;
}

export interface DeployedStackFacts {
  /** Absent: the stack does not exist. */
  status?: string;
  template?: string;
  tags: Record<string, string>;
}

export interface StackDiff {
  name: string;
  kind: StackKind;
  nodePool?: string;
  action: StackAction;
  /** Why it changes, in words (`template changed`, `tags changed`, `stack does not exist`). */
  reasons: string[];
  /** Resources (logical IDs) the new template adds, removes or modifies. */
  resources: { added: string[]; removed: string[]; modified: string[] };
}

function parseTemplate(text: string): Template | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Template) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether two template texts describe the same template (same text, or the same canonical JSON). */
export function sameTemplate(a: string, b: string): boolean {
  if (a === b) return true;
  const left = parseTemplate(a);
  const right = parseTemplate(b);
  return left !== undefined && right !== undefined && serializeTemplate(left) === serializeTemplate(right);
}

const sameRecord = (a: Record<string, string>, b: Record<string, string>) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
};

function resourceDiff(before: string | undefined, after: string): StackDiff['resources'] {
  const old = (before !== undefined ? parseTemplate(before)?.Resources : undefined) ?? {};
  const next = parseTemplate(after)?.Resources ?? {};
  const canonical = (value: unknown) => serializeTemplate({ Resources: { x: value } } as unknown as Template);
  return {
    added: Object.keys(next)
      .filter((id) => !(id in old))
      .sort(),
    removed: Object.keys(old)
      .filter((id) => !(id in next))
      .sort(),
    modified: Object.keys(next)
      .filter((id) => id in old && canonical(old[id]) !== canonical(next[id]))
      .sort(),
  };
}

/** What an update does to one stack. */
export function diffStack(rendered: RenderedStackFacts, deployed: DeployedStackFacts): StackDiff {
  const base = {
    name: rendered.name,
    kind: rendered.kind,
    ...(rendered.nodePool !== undefined ? { nodePool: rendered.nodePool } : {}),
  };
  if (deployed.status === undefined || deployed.template === undefined) {
    return {
      ...base,
      action: 'create',
      reasons: ['stack does not exist'],
      resources: resourceDiff(undefined, rendered.template),
    };
  }
  const reasons: string[] = [];
  if (!sameTemplate(deployed.template, rendered.template)) reasons.push('template changed');
  if (!sameRecord(deployed.tags, rendered.tags)) reasons.push('tags changed');
  return {
    ...base,
    action: reasons.length > 0 ? 'update' : 'unchanged',
    reasons,
    resources: reasons.includes('template changed')
      ? resourceDiff(deployed.template, rendered.template)
      : { added: [], removed: [], modified: [] },
  };
}

/**
 * Whether a template parameter is declared the same way in both templates (an image parameter's
 * declaration names its architecture and channel: same declaration, the running image still fits).
 */
export function sameParameterDeclaration(before: string, after: string, parameter: string): boolean {
  const old = parseTemplate(before)?.Parameters?.[parameter];
  const next = parseTemplate(after)?.Parameters?.[parameter];
  if (old === undefined || next === undefined) return false;
  const canonical = (value: unknown) =>
    serializeTemplate({ Parameters: { x: value } } as unknown as Template);
  return canonical(old) === canonical(next);
}
