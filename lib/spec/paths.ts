/**
 * Paths into a spec, and the map from canonical (nested) paths back to what the user wrote.
 * A legacy flat key like `vpcId` is folded into `vpc.id`; errors about `vpc.id` must still say `vpcId`.
 */

export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `['worker', 'nodePools', 1, 'name']` -> `worker.nodePools[1].name`; odd keys are quoted: `nodeLabels["a/b"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

const PATH_TOKEN = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([A-Za-z0-9_-]+)/y;

/** The inverse of formatPath: `worker.nodePools[1].name` -> `['worker', 'nodePools', 1, 'name']`. */
export function parsePath(formatted: string): PathSegment[] {
  const segments: PathSegment[] = [];
  PATH_TOKEN.lastIndex = 0;
  while (PATH_TOKEN.lastIndex < formatted.length) {
    const match = PATH_TOKEN.exec(formatted);
    if (!match) return [formatted]; // not a path this module wrote: keep it whole
    const [, index, quoted, plain] = match;
    if (index !== undefined) segments.push(Number(index));
    else if (quoted !== undefined) segments.push(JSON.parse(quoted) as string);
    else segments.push(plain as string);
  }
  return segments;
}

/** Canonical path -> the path as written in the user's document. */
export class SourcePaths {
  private readonly renamed = new Map<string, string>();

  /** Records that the canonical `canonical` came from `userPath` in the user's document. */
  record(canonical: readonly PathSegment[], userPath: string): void {
    this.renamed.set(formatPath(canonical), userPath);
  }

  /**
   * The user's path for a canonical path. A recorded path stands for everything under it: a legacy
   * key is a single scalar, so `vpc.id`'s and `apiEndpoints[0].loadBalancer`'s parts all come from it.
   */
  userPath(canonical: readonly PathSegment[]): string {
    for (let length = canonical.length; length > 0; length--) {
      const mapped = this.renamed.get(formatPath(canonical.slice(0, length)));
      if (mapped !== undefined) return mapped;
    }
    return formatPath(canonical);
  }
}

/** Reads a value at a path in a plain tree; undefined when any step is missing. */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

/**
 * Whether two paths overlap (one is a prefix of the other). `'*'` in `pattern` matches any one
 * segment, so a rule can declare `['subnets', '*', 'instanceCIDR']` as an input.
 */
export function pathsOverlap(pattern: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  const length = Math.min(pattern.length, path.length);
  for (let i = 0; i < length; i++) {
    if (pattern[i] !== '*' && pattern[i] !== path[i]) return false;
  }
  return true;
}
