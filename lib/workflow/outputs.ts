/**
 * What a finished create reports on the cluster (ClusterRecord.outputs): the API endpoint, and each
 * endpoint's load balancer DNS name from the control-plane stack's outputs.
 */
import { describeStack } from '../aws/cloudformation.ts';
import { controlPlaneIds } from '../render/logical-ids.ts';
import { stackNames } from '../render/naming.ts';
import { specOf } from './credentials.ts';
import type { WorkflowDeps } from './deps.ts';
import type { OperationInput } from './operation.ts';

export async function clusterOutputs(
  deps: WorkflowDeps,
  input: OperationInput,
): Promise<Record<string, string>> {
  const spec = await specOf(deps, input);
  const controlPlane = await describeStack(
    deps.cloudformation,
    stackNames.controlPlane(spec.clusterName),
    'create',
  );
  const outputs: Record<string, string> = {};
  const [first] = spec.apiEndpoints;
  if (first) outputs.apiEndpoint = `https://${first.dnsName}`;
  for (const endpoint of spec.apiEndpoints) {
    const dns = controlPlane.outputs[controlPlaneIds.outputLoadBalancerDnsName(endpoint.name)];
    if (dns) outputs[`loadBalancerDnsName.${endpoint.name}`] = dns;
  }
  return outputs;
}
