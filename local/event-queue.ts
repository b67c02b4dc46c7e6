/**
 * Local delivery of kaws's events: an EventBridge rule on the kaws bus (every event of source `kaws`)
 * targets an SQS queue, as a consumer would set it up on AWS; kaws reads the queue to print the events
 * (`npm start`) and the tests read it to check what was published.
 */
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { AwsClients } from '../lib/aws/clients.ts';
import { events as eventNames } from '../lib/render/naming.ts';

export interface EventQueue {
  queueUrl: string;
  queueArn: string;
  ruleName: string;
}

/** An event as EventBridge delivers it to a target. */
export interface DeliveredEvent {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Creates (or finds) the queue and the rule that delivers every kaws event on `eventBusName` to it. */
export async function createEventQueue(
  clients: Pick<AwsClients, 'sqs' | 'eventbridge'>,
  options: { eventBusName: string; eventBusArn?: string; name: string },
): Promise<EventQueue> {
  const { QueueUrl: queueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: options.name }));
  if (!queueUrl) throw new Error(`queue ${options.name} was not created`);
  const attributes = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = attributes.Attributes?.QueueArn;
  if (!queueArn) throw new Error(`queue ${options.name} has no ARN`);
  const ruleName = `${options.name}-all`;
  const rule = await clients.eventbridge.send(
    new PutRuleCommand({
      Name: ruleName,
      EventBusName: options.eventBusName,
      EventPattern: JSON.stringify({ source: [eventNames.source] }),
      State: 'ENABLED',
    }),
  );
  // What AWS requires for the rule to send to the queue (the emulator does not check it).
  await clients.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queueArn,
              ...(rule.RuleArn ? { Condition: { ArnEquals: { 'aws:SourceArn': rule.RuleArn } } } : {}),
            },
          ],
        }),
      },
    }),
  );
  await clients.eventbridge.send(
    new PutTargetsCommand({
      Rule: ruleName,
      EventBusName: options.eventBusName,
      Targets: [{ Id: 'queue', Arn: queueArn }],
    }),
  );
  return { queueUrl, queueArn, ruleName };
}

/** Receives (and deletes) up to `max` events, waiting up to `waitSeconds` for the first. */
export async function receiveEvents(
  clients: Pick<AwsClients, 'sqs'>,
  queue: Pick<EventQueue, 'queueUrl'>,
  options: { waitSeconds?: number; max?: number } = {},
): Promise<DeliveredEvent[]> {
  const result = await clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.queueUrl,
      MaxNumberOfMessages: Math.min(options.max ?? 10, 10),
      WaitTimeSeconds: options.waitSeconds ?? 0,
    }),
  );
  const messages = result.Messages ?? [];
  if (messages.length === 0) return [];
  await clients.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queue.queueUrl,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
    }),
  );
  return messages.map((m) => JSON.parse(m.Body ?? '{}') as DeliveredEvent);
}

/** One line for a person: `Cluster State Change prod-east CREATE_PENDING -> CREATE_IN_PROGRESS`. */
export function eventLine(event: DeliveredEvent): string {
  const d = event.detail as {
    clusterName?: string;
    previousStatus?: string | null;
    status?: string;
    reason?: string;
  };
  return (
    `${event['detail-type']} ${d.clusterName ?? '?'} ${d.previousStatus ?? '(new)'} -> ${d.status ?? '?'}` +
    (d.reason ? ` (${d.reason})` : '')
  );
}

/** Reads the queue until stopped, handing each event to `onEvent`. */
export function followEventQueue(
  clients: Pick<AwsClients, 'sqs'>,
  queue: EventQueue,
  onEvent: (event: DeliveredEvent) => void,
): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        for (const event of await receiveEvents(clients, queue, { waitSeconds: 1 })) onEvent(event);
      } catch {
        // The emulator going away at shutdown ends the loop; anything else is retried after a pause.
        if (running) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
