/**
 * local/moto/fixes.py route_table_deleted_with_its_stack: a stack with a VPC, a route table and a subnet
 * associated with it can be deleted, and takes its route table with it (moto 5.2.1 kept the table, so the
 * VPC refused to go and DeleteStack failed). Without the fix, this test fails.
 */
import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeRouteTablesCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { localCloud } from '../support/local-cloud.ts';

const { clients, region } = localCloud();

describe('moto fix: route_table_deleted_with_its_stack', () => {
  it('DeleteStack removes the route table and then the VPC', async () => {
    const name = `fix-rtb-${Math.random().toString(36).slice(2, 8)}`;
    const template = {
      Resources: {
        Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.91.0.0/16' } },
        Subnet: {
          Type: 'AWS::EC2::Subnet',
          Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.91.1.0/24', AvailabilityZone: `${region}a` },
        },
        Table: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: { Ref: 'Vpc' } } },
        Association: {
          Type: 'AWS::EC2::SubnetRouteTableAssociation',
          Properties: { SubnetId: { Ref: 'Subnet' }, RouteTableId: { Ref: 'Table' } },
        },
      },
    };
    await clients.cloudformation.send(
      new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template) }),
    );
    const resources = await clients.cloudformation.send(
      new DescribeStackResourcesCommand({ StackName: name }),
    );
    const id = (logical: string) =>
      resources.StackResources?.find((r) => r.LogicalResourceId === logical)?.PhysicalResourceId;
    const vpcId = id('Vpc') ?? '';

    await clients.cloudformation.send(new DeleteStackCommand({ StackName: name }));

    const tables = await clients.ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'route-table-id', Values: [id('Table') ?? ''] }] }),
    );
    expect(tables.RouteTables).toEqual([]);
    const vpcs = await clients.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    expect(vpcs.Vpcs).toEqual([]);
  });
});
