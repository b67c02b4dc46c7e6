/**
 * AWS limits a rendered cluster must respect, checked before anything is created, each problem
 * reported with the spec path that causes it. Two kinds: checks on the spec itself (names, routing,
 * label syntax: `specProblems`) and checks on the rendered templates (size, resource and output
 * counts: `templateProblems`).
 */
import type { ClusterSpec, SpecIssue } from '../spec/types.ts';
import { logicalName } from './logical-ids.ts';
import { etcdMemberDnsName, MAX_STACK_NAME_LENGTH, stackNames } from './naming.ts';
import { loadBalancerSubnets } from './stacks/control-plane.ts';
import { natSubnetFor } from './stacks/network.ts';
import { nodeLabelsFlag, SAFE_ENV_VALUE, taintsFlag } from './userdata/roles.ts';

/** Largest template CreateStack/UpdateStack take inline (TemplateBody); larger ones go to S3. */
export const TEMPLATE_BODY_MAX_BYTES = 51_200;
/** Largest template CloudFormation reads from S3 (TemplateURL): AWS says "1 MB"; kaws reads it as 10^6 bytes. */
export const TEMPLATE_URL_MAX_BYTES = 1_000_000;
export const MAX_RESOURCES_PER_STACK = 500;
export const MAX_OUTPUTS_PER_STACK = 200;
/** EC2 userdata, before base64. */
export const MAX_USERDATA_BYTES = 16_384;
const STACK_NAME = /^[A-Za-z][-A-Za-z0-9]*$/;
const MAX_DNS_LABEL = 63;
const MAX_DNS_NAME = 253;

const issue = (path: string, code: string, message: string): SpecIssue => ({ path, code, message });

/** Two user-chosen names that become the same logical ID would overwrite each other in a template. */
function logicalNameCollisions(
  names: string[],
  pathOf: (index: number) => string,
  what: string,
): SpecIssue[] {
  const seen = new Map<string, number>();
  const issues: SpecIssue[] = [];
  names.forEach((name, index) => {
    const id = logicalName(name);
    const first = seen.get(id);
    if (id === '') {
      issues.push(
        issue(
          pathOf(index),
          'no_logical_name',
          `${what} name ${JSON.stringify(name)} has no letter or digit`,
        ),
      );
    } else if (first !== undefined && names[first] !== name) {
      issues.push(
        issue(
          pathOf(index),
          'logical_name_collision',
          `${what} names ${JSON.stringify(names[first])} and ${JSON.stringify(name)} differ only in punctuation; ` +
            `kaws names CloudFormation resources after them (${id}), so they must differ in letters or digits`,
        ),
      );
    } else seen.set(id, index);
  });
  return issues;
}

function stackNameProblems(spec: ClusterSpec): SpecIssue[] {
  const named: Array<[string, string]> = [
    [stackNames.controlPlane(spec.clusterName), 'clusterName'],
    ...spec.worker.nodePools.map((pool, i): [string, string] => [
      stackNames.nodePool(spec.clusterName, pool.name),
      `worker.nodePools[${i}].name`,
    ]),
  ];
  const issues: SpecIssue[] = [];
  for (const [name, path] of named) {
    if (name.length > MAX_STACK_NAME_LENGTH) {
      issues.push(
        issue(
          path,
          'stack_name_too_long',
          `stack name ${name} is ${name.length} characters; AWS allows ${MAX_STACK_NAME_LENGTH}`,
        ),
      );
    } else if (!STACK_NAME.test(name)) {
      issues.push(
        issue(
          path,
          'invalid_stack_name',
          `stack name ${name} must start with a letter and hold only letters, digits and -`,
        ),
      );
    }
  }
  return issues;
}

function dnsProblems(spec: ClusterSpec): SpecIssue[] {
  if (spec.etcd.count === 0) return [];
  const name = etcdMemberDnsName(spec.clusterName, spec.etcd.count - 1);
  const longLabel = name.split('.').find((label) => label.length > MAX_DNS_LABEL);
  if (longLabel || name.length > MAX_DNS_NAME) {
    return [
      issue(
        'clusterName',
        'dns_name_too_long',
        `etcd member name ${name} is not a valid DNS name (labels up to ${MAX_DNS_LABEL} characters, ${MAX_DNS_NAME} in all)`,
      ),
    ];
  }
  return [];
}

function routingProblems(spec: ClusterSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (!spec.routeTableId && spec.subnets.some((s) => s.private) && !natSubnetFor(spec, '')) {
    issues.push(
      issue(
        'subnets',
        'no_public_subnet_for_nat',
        'private subnets reach the internet through a NAT gateway, which needs a public subnet; add one or set routeTableId',
      ),
    );
  }
  spec.apiEndpoints.forEach((endpoint, i) => {
    if (loadBalancerSubnets(spec, endpoint).length === 0) {
      const kind = endpoint.loadBalancer.private ? 'private' : 'public';
      issues.push(
        issue(
          `apiEndpoints[${i}].loadBalancer.subnets`,
          'no_load_balancer_subnet',
          `the ${kind} load balancer of endpoint ${endpoint.name} has no ${kind} subnet to live in`,
        ),
      );
    }
  });
  return issues;
}

function rollingUpdateProblems(spec: ClusterSpec): SpecIssue[] {
  const groups: Array<[string, { maxSize: number; rollingUpdateMinInstancesInService: number }]> = [
    ['controller.autoScalingGroup', spec.controller.autoScalingGroup],
    ...spec.worker.nodePools.map(
      (pool, i): [string, NonNullable<(typeof spec.worker.nodePools)[number]>['autoScalingGroup']] => [
        `worker.nodePools[${i}].autoScalingGroup`,
        pool.autoScalingGroup,
      ],
    ),
  ];
  return groups
    .filter(([, asg]) => asg.maxSize > 0 && asg.rollingUpdateMinInstancesInService >= asg.maxSize)
    .map(([path, asg]) =>
      issue(
        `${path}.rollingUpdateMinInstancesInService`,
        'min_in_service_not_below_max',
        `a rolling update keeps ${asg.rollingUpdateMinInstancesInService} instances in service, which CloudFormation requires to be below maxSize (${asg.maxSize})`,
      ),
    );
}

/** Labels and taints travel in an env file: only characters every reader of it agrees on. */
function kubeletFlagProblems(spec: ClusterSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  spec.worker.nodePools.forEach((pool, i) => {
    if (!SAFE_ENV_VALUE.test(nodeLabelsFlag(pool.nodeLabels))) {
      issues.push(
        issue(
          `worker.nodePools[${i}].nodeLabels`,
          'unsafe_label',
          'node labels may hold only letters, digits and . _ - / (keys) and letters, digits and . _ - (values)',
        ),
      );
    }
    if (!SAFE_ENV_VALUE.test(taintsFlag(pool.taints))) {
      issues.push(
        issue(
          `worker.nodePools[${i}].taints`,
          'unsafe_taint',
          'taint keys and values may hold only letters, digits and . _ - /',
        ),
      );
    }
  });
  return issues;
}

/** Problems in the spec that would make a stack invalid, found without rendering anything. */
export function specProblems(spec: ClusterSpec): SpecIssue[] {
  return [
    ...logicalNameCollisions(
      spec.subnets.map((s) => s.name),
      (i) => `subnets[${i}].name`,
      'subnet',
    ),
    ...logicalNameCollisions(
      spec.apiEndpoints.map((e) => e.name),
      (i) => `apiEndpoints[${i}].name`,
      'API endpoint',
    ),
    ...logicalNameCollisions(
      spec.subnets.map((s) => s.availabilityZone),
      (i) => `subnets[${i}].availabilityZone`,
      'availability zone',
    ),
    ...stackNameProblems(spec),
    ...dnsProblems(spec),
    ...routingProblems(spec),
    ...rollingUpdateProblems(spec),
    ...kubeletFlagProblems(spec),
  ];
}

export interface TemplateFigures {
  stackName: string;
  /** The spec path a problem with this stack is reported at. */
  specPath: string;
  bytes: number;
  resources: number;
  outputs: number;
  userdataBytes: number[];
}

/** Problems with rendered templates: too large even for S3, too many resources or outputs, userdata too big. */
export function templateProblems(stack: TemplateFigures): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (stack.bytes > TEMPLATE_URL_MAX_BYTES) {
    issues.push(
      issue(
        stack.specPath,
        'template_too_large',
        `stack ${stack.stackName}'s template is ${stack.bytes} bytes; CloudFormation takes at most ${TEMPLATE_URL_MAX_BYTES}`,
      ),
    );
  }
  if (stack.resources > MAX_RESOURCES_PER_STACK) {
    issues.push(
      issue(
        stack.specPath,
        'too_many_resources',
        `stack ${stack.stackName} would have ${stack.resources} resources; CloudFormation allows ${MAX_RESOURCES_PER_STACK}`,
      ),
    );
  }
  if (stack.outputs > MAX_OUTPUTS_PER_STACK) {
    issues.push(
      issue(
        stack.specPath,
        'too_many_outputs',
        `stack ${stack.stackName} would have ${stack.outputs} outputs; CloudFormation allows ${MAX_OUTPUTS_PER_STACK}`,
      ),
    );
  }
  for (const bytes of stack.userdataBytes) {
    if (bytes > MAX_USERDATA_BYTES) {
      issues.push(
        issue(
          stack.specPath,
          'userdata_too_large',
          `stack ${stack.stackName}'s userdata is ${bytes} bytes; EC2 takes at most ${MAX_USERDATA_BYTES}`,
        ),
      );
    }
  }
  return issues;
}
