/**
 * One workflow step: its input schema and its use case, runnable two ways with the same code: as a
 * Lambda handler (deps from the environment, built once per cold start) and in process by the local
 * engine (deps from the local cloud). Whatever it throws leaves as a named error the ASL matches
 * (lib/workflow/errors.ts): transient AWS failures as TransientAwsError, bad input as InvalidStepInput.
 */
import type * as z from 'zod';
import type { WorkflowDeps } from '../../lib/workflow/deps.ts';
import { StepError, toStepError } from '../../lib/workflow/errors.ts';

export interface Step<Input, Output> {
  /** The step's name (kebab-case), as its Lambda is named: `kaws-<stage>-<name>`. */
  name: string;
  run(deps: WorkflowDeps, input: unknown): Promise<Output>;
  /** Only for typing callers; never read. */
  readonly input?: Input;
}

export function defineStep<S extends z.ZodType, Output>(
  name: string,
  schema: S,
  useCase: (deps: WorkflowDeps, input: z.infer<S>) => Promise<Output>,
): Step<z.infer<S>, Output> {
  return {
    name,
    async run(deps, raw) {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`);
        throw new StepError('InvalidStepInput', `${name}: invalid input: ${problems.join('; ')}`);
      }
      try {
        return await useCase(deps, parsed.data);
      } catch (error) {
        throw toStepError(error);
      }
    },
  };
}
