/**
 * The update's pure parts, case by case: which stacks change (template diff, reformatted JSON, tags,
 * resources), which parameters keep the running value, what a stack status means during an update and
 * its rollback, when a health gate passes (the baseline rule), and how a posted node pool is read.
 */
import { describe, expect, it } from 'vitest';
import { phaseOfUpdate } from '../../lib/aws/cloudformation-update.ts';
import { InvalidSpecError, MalformedSpecError } from '../../lib/service/errors.ts';
import { readNodePool } from '../../lib/service/nodepools.ts';
import { diffStack, sameParameterDeclaration, sameTemplate } from '../../lib/service/plan-stacks.ts';
import { gateProblems } from '../../lib/workflow/roll-gate.ts';
import { haWithSpotNodes } from './update-support.ts';

const template = (resources: Record<string, unknown>, parameters: Record<string, unknown> = {}) =>
  `${JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Description: 'd', Parameters: parameters, Resources: resources }, null, 2)}\n`;
const stack = (text: string, tags: Record<string, string> = { 'kaws:cluster': 'c' }) => ({
  name: 'c-nodepool-a',
  kind: 'nodepool' as const,
  nodePool: 'a',
  template: text,
  tags,
});

describe('which stacks an update changes', () => {
  const v1 = template({
    Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { T: 'm5.large' } },
    Asg: { Type: 'X' },
  });
  const v2 = template({
    Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { T: 'm5.xlarge' } },
    Asg: { Type: 'X' },
    New: { Type: 'Y' },
  });

  it('a stack that does not exist is created', () => {
    expect(diffStack(stack(v1), { tags: {} })).toMatchObject({
      action: 'create',
      reasons: ['stack does not exist'],
      resources: { added: ['Asg', 'Lt'], removed: [], modified: [] },
    });
  });

  it('the same template (even reformatted by CloudFormation) with the same tags is unchanged', () => {
    const deployed = {
      status: 'UPDATE_COMPLETE',
      template: JSON.stringify(JSON.parse(v1)),
      tags: { 'kaws:cluster': 'c' },
    };
    expect(deployed.template).not.toBe(v1);
    expect(sameTemplate(deployed.template, v1)).toBe(true);
    expect(diffStack(stack(v1), deployed)).toMatchObject({ action: 'unchanged', reasons: [] });
  });

  it('a changed template is an update naming the resources it adds, removes and modifies', () => {
    const diff = diffStack(stack(v2), {
      status: 'CREATE_COMPLETE',
      template: v1,
      tags: { 'kaws:cluster': 'c' },
    });
    expect(diff).toMatchObject({
      action: 'update',
      reasons: ['template changed'],
      resources: { added: ['New'], removed: [], modified: ['Lt'] },
    });
    expect(
      diffStack(stack(v1), { status: 'CREATE_COMPLETE', template: v2, tags: { 'kaws:cluster': 'c' } })
        .resources.removed,
    ).toEqual(['New']);
  });

  it('changed tags alone are an update too (CloudFormation copies them onto resources)', () => {
    expect(
      diffStack(stack(v1, { 'kaws:cluster': 'c', team: 'x' }), {
        status: 'CREATE_COMPLETE',
        template: v1,
        tags: { 'kaws:cluster': 'c' },
      }),
    ).toMatchObject({
      action: 'update',
      reasons: ['tags changed'],
    });
  });

  it('a template that is not JSON is never taken for the same', () => {
    expect(sameTemplate('Resources: {}', v1)).toBe(false);
  });

  it('an image parameter declared the same way keeps the running image; another architecture does not', () => {
    const x86 = template(
      {},
      { ImageId: { Type: 'AWS::EC2::Image::Id', Description: 'Flatcar (stable) AMI, x86_64' } },
    );
    const arm = template(
      {},
      { ImageId: { Type: 'AWS::EC2::Image::Id', Description: 'Flatcar (stable) AMI, arm64' } },
    );
    expect(sameParameterDeclaration(x86, x86, 'ImageId')).toBe(true);
    expect(sameParameterDeclaration(x86, arm, 'ImageId')).toBe(false);
    expect(sameParameterDeclaration(x86, x86, 'Other')).toBe(false);
  });
});

describe('what a stack status means during an update and its rollback', () => {
  it.each([
    ['UPDATE_COMPLETE', 'complete', 'complete'],
    ['CREATE_COMPLETE', 'complete', 'complete'],
    ['UPDATE_IN_PROGRESS', 'in-progress', 'in-progress'],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'in-progress', 'in-progress'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'in-progress', 'in-progress'],
    // CloudFormation rolled the update back itself: the update failed, and the stack is back.
    ['UPDATE_ROLLBACK_COMPLETE', 'failed', 'complete'],
    ['UPDATE_ROLLBACK_FAILED', 'failed', 'failed'],
    ['ROLLBACK_COMPLETE', 'failed', 'failed'],
    [undefined, 'gone', 'gone'],
  ])('%s: %s for the update, %s for a rollback', (status, update, rollback) => {
    expect(phaseOfUpdate(status, 'update')).toBe(update);
    expect(phaseOfUpdate(status, 'rollback')).toBe(rollback);
  });
});

describe('the health gate', () => {
  const spec = haWithSpotNodes('gate-units');
  const pool = (name: string) => ({
    stack: { name: `x-${name}`, kind: 'nodepool' as const, nodePool: name },
  });
  const look = (readyNodes: Record<string, number>, apiReady = true) => ({
    apiReady,
    readyNodes,
    detail: 'd',
  });
  const healthy = look({ general: 3, spot: 2, gpu: 1 });

  it('passes when the API is ready, the rolled pool has its count and the others are as Ready as before', () => {
    expect(gateProblems(spec, pool('spot'), healthy, healthy)).toEqual([]);
  });

  it('the rolled pool needs its desired count Ready', () => {
    expect(gateProblems(spec, pool('spot'), healthy, look({ general: 3, spot: 1, gpu: 1 }))).toEqual([
      'spot 1/2 Ready',
    ]);
  });

  it('another pool may not lose nodes it had; one already short before the update does not count against the roll', () => {
    expect(gateProblems(spec, pool('general'), healthy, look({ general: 3, spot: 2, gpu: 0 }))).toEqual([
      'gpu 0/1 Ready (had 1 before the update)',
    ]);
    const spotDown = look({ general: 3, spot: 0, gpu: 1 });
    expect(gateProblems(spec, pool('general'), spotDown, spotDown)).toEqual([]);
    // ... but it does when that pool is the one rolled.
    expect(gateProblems(spec, pool('spot'), spotDown, spotDown)).toEqual(['spot 0/2 Ready']);
  });

  it('an API server that is not ready closes every gate, a control-plane stack included', () => {
    const controlPlane = { stack: { name: 'x-control-plane', kind: 'control-plane' as const } };
    expect(
      gateProblems(spec, controlPlane, healthy, { ...healthy, apiReady: false, detail: 'readyz 500' }),
    ).toEqual(['readyz 500']);
    expect(gateProblems(spec, controlPlane, healthy, healthy)).toEqual([]);
  });
});

describe('a posted node pool', () => {
  it('is a YAML or JSON mapping', () => {
    expect(readNodePool('name: a\ninstanceType: m5.large\n', 'yaml')).toEqual({
      name: 'a',
      instanceType: 'm5.large',
    });
    expect(readNodePool('{"name": "a"}', 'json')).toEqual({ name: 'a' });
  });

  it('that is not a document is malformed; one that is not a mapping is invalid', () => {
    expect(() => readNodePool('a: [', 'yaml')).toThrow(MalformedSpecError);
    expect(() => readNodePool('a: 1\na: 2\n', 'yaml')).toThrow(MalformedSpecError);
    expect(() => readNodePool('{', 'json')).toThrow(MalformedSpecError);
    expect(() => readNodePool('- a\n- b\n', 'yaml')).toThrow(InvalidSpecError);
    expect(() => readNodePool('42', 'json')).toThrow(InvalidSpecError);
  });
});
