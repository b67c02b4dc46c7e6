import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { it } from 'vitest';
import { renderCluster } from '../../lib/render/index.ts';
import { stackNames } from '../../lib/render/naming.ts';
import { artifactsOf, storedFingerprints } from '../../lib/workflow/credentials.ts';
import { nodeAssetsKeyArn } from '../../lib/workflow/deps.ts';
import { haSpec, uniqueName, workflowHarness } from './support.ts';

it('probe', async () => {
  const h = workflowHarness();
  const name = uniqueName('probe');
  const spec = haSpec(name);
  let t = Date.now();
  const { execution } = await h.create(spec);
  console.log('create', Date.now() - t, execution.status, execution.transitions);
  const cfn = h.deps.cloudformation;
  const stack = stackNames.nodePool(name, 'spot');
  const res = await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }));
  console.log(
    res.StackResources?.map((r) => `${r.LogicalResourceId} ${r.ResourceType} ${r.PhysicalResourceId}`),
  );
  const lt = res.StackResources?.find(
    (r) => r.ResourceType === 'AWS::EC2::LaunchTemplate',
  )?.PhysicalResourceId;
  const ec2 = h.cloud.clients.ec2;
  const v1 = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: lt }));
  console.log(
    'versions before',
    v1.LaunchTemplateVersions?.map(
      (v) => `${v.VersionNumber} ${v.LaunchTemplateData?.InstanceType} ${v.DefaultVersion}`,
    ),
  );
  const spec2 = structuredClone(spec);
  spec2.worker.nodePools[1]!.instanceType = 'c5.2xlarge';
  const rendered = renderCluster({
    spec: spec2,
    assets: await storedFingerprints(h.deps, name),
    artifacts: artifactsOf(h.deps, spec2),
    kmsKeyArn: nodeAssetsKeyArn(h.deps, spec2),
  });
  const s = rendered.stacks.find((x) => x.name === stack)!;
  const before = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
  const params = before.Stacks?.[0]?.Parameters;
  console.log('params', params);
  t = Date.now();
  const upd = await cfn.send(
    new UpdateStackCommand({
      StackName: stack,
      TemplateBody: s.template,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: params?.map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
      Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
      ClientRequestToken: 'abc-update-1',
    }),
  );
  console.log('update', Date.now() - t, upd);
  const after = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
  console.log('status', after.Stacks?.[0]?.StackStatus);
  const res2 = await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }));
  console.log(
    res2.StackResources?.map((r) => `${r.LogicalResourceId} ${r.ResourceType} ${r.PhysicalResourceId}`),
  );
  const lt2 = res2.StackResources?.find(
    (r) => r.ResourceType === 'AWS::EC2::LaunchTemplate',
  )?.PhysicalResourceId;
  const v2 = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: lt2 }));
  console.log(
    'versions after',
    v2.LaunchTemplateVersions?.map(
      (v) => `${v.VersionNumber} ${v.LaunchTemplateData?.InstanceType} ${v.DefaultVersion}`,
    ),
  );
  const asg = await h.cloud.clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
  console.log(
    asg.AutoScalingGroups?.filter((g) => g.AutoScalingGroupName?.startsWith(stack)).map((g) =>
      JSON.stringify({ n: g.AutoScalingGroupName, lt: g.LaunchTemplate, inst: g.Instances?.length }),
    ),
  );
  const tpl = await cfn.send(new GetTemplateCommand({ StackName: stack }));
  console.log('template same', tpl.TemplateBody === s.template, typeof tpl.TemplateBody);
  // no-change update
  try {
    await cfn.send(
      new UpdateStackCommand({
        StackName: stack,
        TemplateBody: s.template,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: params?.map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
        Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    console.log('no-change update accepted');
  } catch (e) {
    console.log('no-change', (e as Error).name, (e as Error).message);
  }
  // same token
  try {
    await cfn.send(
      new UpdateStackCommand({
        StackName: stack,
        TemplateBody: s.template,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: params?.map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
        ClientRequestToken: 'abc-update-1',
      }),
    );
    console.log('same token accepted');
  } catch (e) {
    console.log('same token', (e as Error).name, (e as Error).message);
  }
  const ev = await cfn.send(new DescribeStackEventsCommand({ StackName: stack }));
  console.log(
    ev.StackEvents?.slice(0, 8).map(
      (e) => `${e.LogicalResourceId} ${e.ResourceStatus} ${e.ClientRequestToken}`,
    ),
  );
  await h.destroy(name);
  await h.stop();
}, 300_000);
