/**
 * Starts an operation's workflow on Step Functions: one state machine per operation type, the execution
 * named by the operation id. Step Functions treats a second StartExecution with the same name and input as
 * the same execution, so a retried request (or a retried SDK call) can never start two.
 */
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { workflowExecutionName } from '../render/naming.ts';
import type { OperationType } from '../service/cluster-status.ts';
import type { WorkflowInput, WorkflowStarter } from '../service/ports.ts';

export type StateMachineArns = Readonly<Record<OperationType, string>>;

/** The ARN Step Functions gives execution `name` of a state machine (documented ARN format). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachines: StateMachineArns,
  ) {}

  async start(input: WorkflowInput): Promise<{ executionArn: string }> {
    const stateMachineArn = this.stateMachines[input.type];
    const name = workflowExecutionName(input.operationId);
    try {
      const result = await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return { executionArn: result.executionArn ?? executionArnOf(stateMachineArn, name) };
    } catch (error) {
      // Same name, different input: only possible if something else used this operation id. The name is
      // the operation's, so the execution is the operation's.
      if (error instanceof ExecutionAlreadyExists)
        return { executionArn: executionArnOf(stateMachineArn, name) };
      throw error;
    }
  }
}
