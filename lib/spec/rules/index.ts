/** Every semantic rule, in reporting order. */
import { computeRules } from './compute.ts';
import { endpointRules } from './endpoints.ts';
import { identityRules } from './identity.ts';
import { networkRules } from './network.ts';
import type { Rule } from './rule.ts';
import { topologyRules } from './topology.ts';
import { warningRules } from './warnings.ts';

export const allRules: readonly Rule[] = [
  ...identityRules,
  ...networkRules,
  ...topologyRules,
  ...endpointRules,
  ...computeRules,
  ...warningRules,
];

export { runRules } from './rule.ts';
