/** The status state machine: the documented transitions, and nothing else. */
import { describe, expect, it } from 'vitest';
import {
  CLUSTER_STATUSES,
  type ClusterStatus,
  canRequest,
  isLegalClusterTransition,
  legalClusterTransitions,
  OPERATION_TYPES,
  type OperationType,
} from '../../lib/service/cluster-status.ts';

describe('cluster status state machine', () => {
  it('has exactly the transitions docs/api.md draws', () => {
    const drawn = [
      'none->CREATE_PENDING',
      'DELETED->CREATE_PENDING',
      'CREATE_PENDING->CREATE_IN_PROGRESS',
      'CREATE_IN_PROGRESS->ACTIVE',
      'CREATE_PENDING->CREATE_FAILED',
      'CREATE_IN_PROGRESS->CREATE_FAILED',
      'ACTIVE->UPDATE_PENDING',
      'UPDATE_FAILED->UPDATE_PENDING',
      'UPDATE_PENDING->UPDATE_IN_PROGRESS',
      'UPDATE_IN_PROGRESS->ACTIVE',
      'UPDATE_PENDING->UPDATE_FAILED',
      'UPDATE_IN_PROGRESS->UPDATE_FAILED',
      'ACTIVE->DELETE_PENDING',
      'CREATE_FAILED->DELETE_PENDING',
      'UPDATE_FAILED->DELETE_PENDING',
      'DELETE_FAILED->DELETE_PENDING',
      'DELETE_PENDING->DELETE_IN_PROGRESS',
      'DELETE_IN_PROGRESS->DELETED',
      'DELETE_PENDING->DELETE_FAILED',
      'DELETE_IN_PROGRESS->DELETE_FAILED',
    ];
    const actual = legalClusterTransitions().map((t) => `${t.from ?? 'none'}->${t.to}`);
    expect([...actual].sort()).toEqual([...drawn].sort());
  });

  it('refuses everything else', () => {
    const legal = new Set(legalClusterTransitions().map((t) => `${t.from}->${t.to}`));
    let refused = 0;
    for (const from of [null, ...CLUSTER_STATUSES]) {
      for (const to of CLUSTER_STATUSES) {
        const expected = legal.has(`${from}->${to}`);
        expect(isLegalClusterTransition(from, to), `${from}->${to}`).toBe(expected);
        if (!expected) refused++;
      }
    }
    expect(refused).toBe(12 * 11 - 20);
    expect(isLegalClusterTransition('DELETED', 'ACTIVE')).toBe(false);
    expect(isLegalClusterTransition('CREATE_FAILED', 'UPDATE_PENDING')).toBe(false);
  });

  it('says which operations each status accepts', () => {
    const accepts = (status: ClusterStatus | null) =>
      OPERATION_TYPES.filter((type: OperationType) => canRequest(type, status));
    expect(accepts(null)).toEqual(['CREATE']);
    expect(accepts('DELETED')).toEqual(['CREATE']);
    expect(accepts('ACTIVE')).toEqual(['UPDATE', 'DELETE']);
    expect(accepts('UPDATE_FAILED')).toEqual(['UPDATE', 'DELETE']);
    expect(accepts('CREATE_FAILED')).toEqual(['DELETE']);
    expect(accepts('DELETE_FAILED')).toEqual(['DELETE']);
    for (const busy of [
      'CREATE_PENDING',
      'CREATE_IN_PROGRESS',
      'UPDATE_PENDING',
      'UPDATE_IN_PROGRESS',
      'DELETE_PENDING',
      'DELETE_IN_PROGRESS',
    ] as const) {
      expect(accepts(busy), busy).toEqual([]);
    }
  });
});
