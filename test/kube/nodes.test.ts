/** lib/kube's pure parts: node readiness by pool, kubectl's AGE format and node table, label selectors. */
import { describe, expect, it } from 'vitest';
import {
  humanDuration,
  isNodeReady,
  nodeTable,
  poolsShortOfReadyNodes,
  readyNodesByPool,
} from '../../lib/kube/nodes.ts';
import type { KubeNode } from '../../lib/kube/types.ts';
import { nodeLabelKeys } from '../../lib/render/naming.ts';
import { parseLabelSelector } from '../../local/kube-apiserver.ts';

function node(
  name: string,
  options: {
    pool?: string;
    ready?: 'True' | 'False' | 'Unknown' | 'none';
    labels?: Record<string, string>;
  } = {},
): KubeNode {
  const ready = options.ready ?? 'True';
  return {
    metadata: {
      name,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { ...(options.pool ? { [nodeLabelKeys.nodePool]: options.pool } : {}), ...options.labels },
    },
    spec: {},
    status: {
      conditions: ready === 'none' ? [] : [{ type: 'Ready', status: ready }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'containerd://1.7',
        kernelVersion: '6.6',
        kubeProxyVersion: '',
        kubeletVersion: 'v1.31.2',
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'Flatcar',
        systemUUID: '',
      },
    },
  };
}

describe('node readiness', () => {
  it('is Ready only when the Ready condition is True', () => {
    expect(isNodeReady(node('a'))).toBe(true);
    expect(isNodeReady(node('a', { ready: 'False' }))).toBe(false);
    expect(isNodeReady(node('a', { ready: 'Unknown' }))).toBe(false);
    expect(isNodeReady(node('a', { ready: 'none' }))).toBe(false);
  });

  it('counts Ready nodes per pool label, ignoring unlabelled and NotReady nodes', () => {
    const nodes = [
      node('a', { pool: 'general' }),
      node('b', { pool: 'general' }),
      node('c', { pool: 'general', ready: 'False' }),
      node('d', { pool: 'gpu' }),
      node('e'),
    ];
    expect(Object.fromEntries(readyNodesByPool(nodes))).toEqual({ general: 2, gpu: 1 });
    expect(poolsShortOfReadyNodes(nodes, { general: 3, gpu: 1, spot: 0 })).toEqual([
      { pool: 'general', ready: 2, wanted: 3 },
    ]);
    expect(poolsShortOfReadyNodes(nodes, new Map([['gpu', 1]]))).toEqual([]);
  });
});

describe('kubectl AGE (duration.HumanDuration)', () => {
  const s = 1000;
  it.each([
    [-5 * s, '<invalid>'],
    [-1 * s, '0s'],
    [0, '0s'],
    [119 * s, '119s'],
    [120 * s, '2m'],
    [125 * s, '2m5s'],
    [10 * 60 * s, '10m'],
    [179 * 60 * s, '179m'],
    [3 * 3600 * s, '3h'],
    [(3 * 3600 + 5 * 60) * s, '3h5m'],
    [8 * 3600 * s, '8h'],
    [47 * 3600 * s, '47h'],
    [48 * 3600 * s, '2d'],
    [(3 * 24 + 4) * 3600 * s, '3d4h'],
    [10 * 24 * 3600 * s, '10d'],
    [(2 * 365 + 3) * 24 * 3600 * s, '2y3d'],
    [9 * 365 * 24 * 3600 * s, '9y'],
  ])('%i ms -> %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('the node table', () => {
  it('has the API server columns and one row per node', () => {
    const table = nodeTable(
      [
        node('a', { pool: 'general', labels: { 'node-role.kubernetes.io/control-plane': '' } }),
        node('b', { ready: 'False' }),
      ],
      new Date('2026-01-01T00:05:00Z'),
    );
    expect(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Name',
      'Status',
      'Roles',
      'Age',
      'Version',
    ]);
    expect(table.rows.map((r) => r.cells.slice(0, 5))).toEqual([
      ['a', 'Ready', 'control-plane', '5m', 'v1.31.2'],
      ['b', 'NotReady', '<none>', '5m', 'v1.31.2'],
    ]);
    expect(table.rows[0]?.object.metadata.name).toBe('a');
  });
});

describe('label selectors', () => {
  const labels = { 'kaws.io/node-pool': 'gpu', tier: 'x' };
  it.each([
    ['kaws.io/node-pool=gpu', true],
    ['kaws.io/node-pool==gpu', true],
    ['kaws.io/node-pool!=gpu', false],
    ['kaws.io/node-pool=gpu,tier=x', true],
    ['kaws.io/node-pool=gpu,tier=y', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['missing!=x', true],
  ])('%s -> %s', (selector, matches) => {
    expect(parseLabelSelector(selector)?.(labels)).toBe(matches);
  });

  it('refuses what it cannot evaluate (set-based selectors) instead of matching everything', () => {
    expect(parseLabelSelector('tier in (x,y)')).toBeUndefined();
    expect(parseLabelSelector('!tier=x')).toBeUndefined();
  });
});
