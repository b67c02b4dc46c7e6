/**
 * Shape checking: required fields plus the zod schema, with zod's issues turned into kaws issues
 * at the user's paths. Invalid values are pruned so the rest of the spec can still be defaulted
 * and checked by the rules (every problem reported at once); the pruned paths are returned so
 * rules that depend on them are skipped instead of reporting follow-on errors.
 */
import type * as z from 'zod';
import { formatPath, type PathSegment, type SourcePaths, valueAt } from './paths.ts';
import { allowedKeysAt, clusterSpecSchema, type SpecInput } from './schema.ts';
import type { SpecIssue } from './types.ts';
import { unknownKeyMessage } from './unknown-keys.ts';

type Tree = Record<string, unknown>;

export interface ShapeResult {
  /** The shape-valid part of the spec (invalid values removed); undefined if nothing usable is left. */
  input?: SpecInput;
  issues: SpecIssue[];
  /** Canonical paths whose values were missing or invalid. */
  invalid: PathSegment[][];
}

/** Required top-level fields, and required fields of each list element. */
const REQUIRED_TOP: readonly string[] = ['clusterName', 'region', 'kmsKeyArn'];
const REQUIRED_IN_LIST: ReadonlyArray<[PathSegment[], string[]]> = [
  [['subnets'], ['availabilityZone']],
  [['apiEndpoints'], ['name', 'dnsName']],
  [['worker', 'nodePools'], ['name']],
];

const isTree = (value: unknown): value is Tree =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isTree(value)) return 'a mapping';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function missingRequired(doc: Tree, paths: SourcePaths): { issues: SpecIssue[]; invalid: PathSegment[][] } {
  const issues: SpecIssue[] = [];
  const invalid: PathSegment[][] = [];
  const require = (path: PathSegment[]) => {
    if (valueAt(doc, path) !== undefined) return;
    invalid.push(path);
    issues.push({
      path: paths.userPath(path),
      code: 'required',
      message: `${formatPath(path.slice(-1))} is required`,
    });
  };
  for (const key of REQUIRED_TOP) require([key]);
  // kaws creates a subnet without an id, so it needs its CIDR; an existing subnet's is optional.
  const subnets = valueAt(doc, ['subnets']);
  if (Array.isArray(subnets)) {
    subnets.forEach((subnet, index) => {
      if (isTree(subnet) && subnet.id === undefined) require(['subnets', index, 'instanceCIDR']);
    });
  }
  for (const [listPath, fields] of REQUIRED_IN_LIST) {
    const list = valueAt(doc, listPath);
    if (!Array.isArray(list)) continue;
    list.forEach((item, index) => {
      if (isTree(item)) for (const field of fields) require([...listPath, index, field]);
    });
  }
  const pools = valueAt(doc, ['worker', 'nodePools']);
  if (Array.isArray(pools)) {
    pools.forEach((pool, poolIndex) => {
      const taints = isTree(pool) ? pool.taints : undefined;
      if (!Array.isArray(taints)) return;
      taints.forEach((taint, index) => {
        if (!isTree(taint)) return;
        for (const field of ['key', 'effect'])
          require(['worker', 'nodePools', poolIndex, 'taints', index, field]);
      });
    });
  }
  return { issues, invalid };
}

/** kaws issues for one zod issue (several for an unknown-keys issue). */
function toSpecIssues(issue: z.core.$ZodIssue, doc: Tree, paths: SourcePaths): SpecIssue[] {
  const path = issue.path as PathSegment[];
  const userPath = paths.userPath(path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(path);
      return issue.keys.map((key) => ({
        path: paths.userPath([...path, key]),
        code: 'unknown_key',
        message: unknownKeyMessage(key, path, allowed),
      }));
    }
    case 'custom': {
      const code = (issue.params as { code?: string } | undefined)?.code ?? 'invalid_value';
      return [{ path: userPath, code, message: issue.message }];
    }
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [
        {
          path: userPath,
          code: 'invalid_type',
          message: `expected ${expected}, got ${describe(valueAt(doc, path))}`,
        },
      ];
    }
    case 'invalid_union':
      return [
        {
          path: userPath,
          code: 'invalid_type',
          message: `expected a string, got ${describe(valueAt(doc, path))}`,
        },
      ];
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return [
        {
          path: userPath,
          code: 'invalid_value',
          message: `must be one of ${options}; got ${describe(valueAt(doc, path))}`,
        },
      ];
    }
    case 'too_small':
      return [
        issue.origin === 'array'
          ? { path: userPath, code: 'empty_list', message: 'must not be empty' }
          : {
              path: userPath,
              code: 'out_of_range',
              message: `must be at least ${issue.minimum}; got ${describe(valueAt(doc, path))}`,
            },
      ];
    case 'too_big':
      return [
        {
          path: userPath,
          code: 'out_of_range',
          message: `must be at most ${issue.maximum}; got ${describe(valueAt(doc, path))}`,
        },
      ];
    default:
      return [{ path: userPath, code: issue.code, message: issue.message }];
  }
}

/** Removes the value at `path`; a bad list element takes its whole list with it (indexes stay stable). */
function prune(doc: Tree, path: PathSegment[], invalid: PathSegment[][]): boolean {
  let target = path;
  while (target.length > 0 && typeof target.at(-1) === 'number') target = target.slice(0, -1);
  if (target.length === 0) return false;
  const parent = valueAt(doc, target.slice(0, -1));
  if (!isTree(parent)) return false;
  delete parent[String(target.at(-1))];
  invalid.push(target);
  return true;
}

const MAX_PRUNE_ROUNDS = 8;

/**
 * Checks the canonical document's shape.
 * @param canonical the document after legacy folding (not modified)
 */
export function checkShape(canonical: Tree, paths: SourcePaths): ShapeResult {
  const required = missingRequired(canonical, paths);
  const issues = [...required.issues];
  const invalid = [...required.invalid];
  const doc = structuredClone(canonical);
  const reported = new Set<string>();
  for (let round = 0; round < MAX_PRUNE_ROUNDS; round++) {
    const result = clusterSpecSchema.safeParse(doc);
    if (result.success) return { input: result.data, issues, invalid };
    for (const issue of result.error.issues) {
      for (const specIssue of toSpecIssues(issue, doc, paths)) {
        const key = `${specIssue.path}\u0000${specIssue.code}\u0000${specIssue.message}`;
        if (!reported.has(key)) {
          reported.add(key);
          issues.push(specIssue);
        }
      }
      const path = issue.path as PathSegment[];
      if (issue.code === 'unrecognized_keys') {
        const owner = valueAt(doc, path);
        if (isTree(owner)) for (const key of issue.keys) delete owner[key];
      } else if (!prune(doc, path, invalid)) {
        return { issues, invalid };
      }
    }
  }
  return { issues, invalid };
}
