import type { SpecIssue } from '../spec/types.ts';

/**
 * A render refused: the stacks for this spec (or these assets) would break an AWS limit or miss a
 * piece. Carries every problem, each with the spec path that caused it, as lib/spec's errors do.
 */
export class RenderError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(`cannot render the stacks: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'RenderError';
  }
}
