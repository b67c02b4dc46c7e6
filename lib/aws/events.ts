/**
 * Publishes kaws's events on its EventBridge bus (source naming.events.source). PutEvents takes up to
 * 10 entries per call and can fail some entries while accepting others: a partial failure throws
 * (the caller's retry publishes the whole batch again; every event carries its own eventId, so
 * consumers drop what they have seen).
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { events as eventNames } from '../render/naming.ts';

export interface BusEvent {
  detailType: string;
  detail: Record<string, unknown>;
  time: Date;
  /** ARNs the event is about (EventBridge `resources`). */
  resources?: string[];
}

/** Puts events on a bus. The workflows depend on this interface, not on EventBridge. */
export interface EventPublisher {
  publish(events: readonly BusEvent[]): Promise<void>;
}

/** Some entries were refused; the message names the first refusal. */
export class EventPublishError extends Error {
  constructor(
    message: string,
    readonly failedCount: number,
  ) {
    super(message);
    // EventBridge refuses entries mostly under throttling or an internal failure: worth a retry.
    this.name = 'ServiceUnavailable';
  }
}

const MAX_ENTRIES_PER_CALL = 10;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly BusEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
      const batch = events.slice(start, start + MAX_ENTRIES_PER_CALL);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.eventBusName,
            Source: eventNames.source,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            Time: event.time,
            ...(event.resources ? { Resources: event.resources } : {}),
          })),
        }),
      );
      const failed = (result.Entries ?? []).filter((entry) => entry.ErrorCode);
      if ((result.FailedEntryCount ?? 0) > 0 || failed.length > 0) {
        const first = failed[0];
        throw new EventPublishError(
          `EventBridge refused ${result.FailedEntryCount ?? failed.length} of ${batch.length} events` +
            (first ? ` (${first.ErrorCode}: ${first.ErrorMessage})` : ''),
          result.FailedEntryCount ?? failed.length,
        );
      }
    }
  }
}
