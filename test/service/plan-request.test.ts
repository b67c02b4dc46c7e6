/** What a requested operation writes, decided without a table. */
import { describe, expect, it } from 'vitest';
import {
  ClusterNameTakenError,
  ClusterNotFoundError,
  IllegalTransitionError,
  OperationInProgressError,
  PreconditionFailedError,
} from '../../lib/service/errors.ts';
import type { ClusterRecord } from '../../lib/service/model.ts';
import { planRequest } from '../../lib/service/plan-request.ts';
import type { ClusterSpec } from '../../lib/spec/types.ts';

const spec = (name: string) => ({ clusterName: name, region: 'us-east-1' }) as unknown as ClusterSpec;
const now = new Date('2026-01-02T03:04:05.000Z');
const base = { caller: 'bob', now, operationId: 'OP1', eventId: 'EV1' };

function cluster(overrides: Partial<ClusterRecord>): ClusterRecord {
  return {
    name: 'c',
    status: 'ACTIVE',
    spec: spec('c'),
    specVersion: 3,
    version: 7,
    outputs: { apiEndpoint: 'https://x' },
    createdBy: 'alice',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedBy: 'alice',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('planRequest', () => {
  it('CREATE of a new name: version 1, lock taken, caller recorded everywhere', () => {
    const plan = planRequest({ ...base, type: 'CREATE', clusterName: 'c', spec: spec('c') }, undefined);
    expect(plan.cluster).toMatchObject({
      status: 'CREATE_PENDING',
      specVersion: 1,
      version: 1,
      createdBy: 'bob',
      updatedBy: 'bob',
    });
    expect(plan.cluster.currentOperation).toEqual({ id: 'OP1', type: 'CREATE' });
    expect(plan.operation).toMatchObject({
      id: 'OP1',
      status: 'PENDING',
      specVersion: 1,
      requestedBy: 'bob',
      version: 1,
    });
    expect(plan.event).toEqual({
      id: 'EV1',
      clusterName: 'c',
      type: 'OPERATION_REQUESTED',
      time: now.toISOString(),
      caller: 'bob',
      operationId: 'OP1',
      operationType: 'CREATE',
      newStatus: 'CREATE_PENDING',
    });
  });

  it('CREATE over a DELETED cluster starts a new incarnation; versions keep increasing', () => {
    const plan = planRequest(
      { ...base, type: 'CREATE', clusterName: 'c', spec: spec('c') },
      cluster({ status: 'DELETED' }),
    );
    expect(plan.cluster).toMatchObject({ specVersion: 4, version: 8, createdBy: 'bob', outputs: {} });
    expect(plan.event.previousStatus).toBe('DELETED');
  });

  it('UPDATE bumps the spec version; DELETE keeps it; both clear a failure reason', () => {
    const update = planRequest(
      { ...base, type: 'UPDATE', clusterName: 'c', spec: spec('c'), expectedSpecVersions: [3] },
      cluster({ status: 'UPDATE_FAILED', statusReason: 'pool general failed its health gate' }),
    );
    expect(update.cluster).toMatchObject({
      status: 'UPDATE_PENDING',
      specVersion: 4,
      version: 8,
      createdBy: 'alice',
    });
    expect(update.cluster.statusReason).toBeUndefined();
    const del = planRequest({ ...base, type: 'DELETE', clusterName: 'c' }, cluster({}));
    expect(del.cluster).toMatchObject({ status: 'DELETE_PENDING', specVersion: 3 });
    expect(del.operation.specVersion).toBe(3);
  });

  it('refuses with the reason a caller can act on, precondition first', () => {
    const busy = cluster({ status: 'UPDATE_PENDING', currentOperation: { id: 'OP0', type: 'UPDATE' } });
    expect(() => planRequest({ ...base, type: 'CREATE', clusterName: 'c', spec: spec('c') }, busy)).toThrow(
      ClusterNameTakenError,
    );
    expect(() =>
      planRequest({ ...base, type: 'UPDATE', clusterName: 'c', spec: spec('c') }, undefined),
    ).toThrow(ClusterNotFoundError);
    expect(() =>
      planRequest(
        { ...base, type: 'UPDATE', clusterName: 'c', spec: spec('c'), expectedSpecVersions: [2] },
        busy,
      ),
    ).toThrow(PreconditionFailedError);
    expect(() =>
      planRequest(
        { ...base, type: 'UPDATE', clusterName: 'c', spec: spec('c'), expectedSpecVersions: [3] },
        busy,
      ),
    ).toThrow(OperationInProgressError);
    expect(() =>
      planRequest(
        { ...base, type: 'UPDATE', clusterName: 'c', spec: spec('c') },
        cluster({ status: 'CREATE_FAILED' }),
      ),
    ).toThrow(IllegalTransitionError);
    expect(() =>
      planRequest({ ...base, type: 'DELETE', clusterName: 'c' }, cluster({ status: 'DELETED' })),
    ).toThrow(IllegalTransitionError);
  });
});
