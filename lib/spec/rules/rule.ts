/**
 * The rule framework: each semantic rule declares the canonical paths it reads, reports problems
 * at canonical paths, and the runner translates them to the user's paths. A rule whose inputs
 * failed the shape check is skipped, so one bad value never causes a cascade of follow-on errors.
 */
import { type PathSegment, pathsOverlap, type SourcePaths, valueAt } from '../paths.ts';
import type { SpecInput } from '../schema.ts';
import type { ClusterSpec, SpecIssue } from '../types.ts';

export interface RuleContext {
  /** The spec with defaults applied. */
  spec: ClusterSpec;
  /** The shape-checked values as given, before defaults and normalization. */
  input: SpecInput;
  /** Whether the user set this canonical path (directly or through a legacy key). */
  provided(path: readonly PathSegment[]): boolean;
  /** The path as the user wrote it, for messages that name other fields. */
  user(path: readonly PathSegment[]): string;
}

export interface Reporter {
  error(path: readonly PathSegment[], code: string, message: string): void;
  warning(path: readonly PathSegment[], code: string, message: string): void;
}

export interface Rule {
  /** Canonical paths read by the rule; `'*'` matches any one segment (a list index). */
  inputs: ReadonlyArray<readonly PathSegment[]>;
  check(context: RuleContext, report: Reporter): void;
}

/**
 * Runs rules over a defaulted spec.
 * @param input the shape-checked input before defaults (to tell "set by the user" from "defaulted")
 * @param invalid canonical paths that were missing or failed the shape check
 */
export function runRules(
  rules: readonly Rule[],
  spec: ClusterSpec,
  input: SpecInput,
  paths: SourcePaths,
  invalid: ReadonlyArray<readonly PathSegment[]>,
): { errors: SpecIssue[]; warnings: SpecIssue[] } {
  const errors: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const context: RuleContext = {
    spec,
    input,
    provided: (path) => valueAt(input, path) !== undefined,
    user: (path) => paths.userPath(path),
  };
  const reporter: Reporter = {
    error: (path, code, message) => errors.push({ path: paths.userPath(path), code, message }),
    warning: (path, code, message) => warnings.push({ path: paths.userPath(path), code, message }),
  };
  for (const rule of rules) {
    const blocked = rule.inputs.some((pattern) => invalid.some((path) => pathsOverlap(pattern, path)));
    if (!blocked) rule.check(context, reporter);
  }
  return { errors, warnings };
}
