/**
 * Identity rules: the KMS key belongs to the spec's region, SSH access is configured, names kaws
 * derives (IAM roles, stacks, the private DNS zone) fit AWS's limits, certificate lifetimes and
 * stack tags are sane.
 */
import {
  iamRoleNames,
  MAX_IAM_ROLE_NAME_LENGTH,
  MAX_STACK_NAME_LENGTH,
  stackNames,
} from '../../render/naming.ts';
import { kmsKeyArnParts, partitionOf } from '../formats.ts';
import type { Rule } from './rule.ts';

const kmsKeyInRegion: Rule = {
  inputs: [['kmsKeyArn'], ['region']],
  check({ spec, user }, report) {
    const parts = kmsKeyArnParts(spec.kmsKeyArn);
    if (!parts) return;
    if (parts.region !== spec.region) {
      report.error(
        ['kmsKeyArn'],
        'kms_key_region_mismatch',
        `the KMS key is in ${parts.region} but ${user(['region'])} is ${spec.region}; kaws needs a key in the cluster's region`,
      );
    } else if (parts.partition !== partitionOf(spec.region)) {
      report.error(
        ['kmsKeyArn'],
        'kms_key_partition_mismatch',
        `the KMS key ARN's partition is ${parts.partition}, but ${spec.region} is in ${partitionOf(spec.region)}`,
      );
    }
  },
};

const sshAccess: Rule = {
  inputs: [['keyName'], ['sshAuthorizedKeys']],
  check({ spec, user }, report) {
    if (spec.keyName === undefined && spec.sshAuthorizedKeys.length === 0) {
      report.error(
        ['keyName'],
        'ssh_access_required',
        `either ${user(['keyName'])} or ${user(['sshAuthorizedKeys'])} is required`,
      );
    }
  },
};

/** Role and stack names kaws derives from the cluster and pool names must fit AWS's limits. */
const derivedNameLengths: Rule = {
  inputs: [['clusterName'], ['region'], ['worker', 'nodePools', '*', 'name']],
  check({ spec, user }, report) {
    const { clusterName: cluster, region } = spec;
    // The cluster name is a DNS label of the private zone (naming.privateZoneName).
    if (cluster.length > 63) {
      report.error(
        ['clusterName'],
        'cluster_name_too_long',
        `${user(['clusterName'])} must be at most 63 characters (it is a DNS label)`,
      );
      return;
    }
    const longestFixed = [iamRoleNames.controller(cluster, region), iamRoleNames.etcd(cluster, region)].sort(
      (a, b) => b.length - a.length,
    )[0]!;
    if (longestFixed.length > MAX_IAM_ROLE_NAME_LENGTH) {
      const allowed = cluster.length - (longestFixed.length - MAX_IAM_ROLE_NAME_LENGTH);
      report.error(
        ['clusterName'],
        'cluster_name_too_long',
        `the IAM role name ${longestFixed} would be ${longestFixed.length} characters (AWS allows ${MAX_IAM_ROLE_NAME_LENGTH}); in ${region} the cluster name can have at most ${allowed}`,
      );
      return;
    }
    spec.worker.nodePools.forEach((pool, index) => {
      const role = iamRoleNames.nodePool(cluster, region, pool.name);
      const stack = stackNames.nodePool(cluster, pool.name);
      if (role.length > MAX_IAM_ROLE_NAME_LENGTH) {
        report.error(
          ['worker', 'nodePools', index, 'name'],
          'node_pool_name_too_long',
          `the IAM role name ${role} would be ${role.length} characters (AWS allows ${MAX_IAM_ROLE_NAME_LENGTH}); shorten the pool name to at most ${pool.name.length - (role.length - MAX_IAM_ROLE_NAME_LENGTH)} characters`,
        );
      } else if (stack.length > MAX_STACK_NAME_LENGTH) {
        report.error(
          ['worker', 'nodePools', index, 'name'],
          'node_pool_name_too_long',
          `the stack name ${stack} would be too long`,
        );
      }
    });
  },
};

const certificateLifetimes: Rule = {
  inputs: [['tlsCADurationDays'], ['tlsCertDurationDays']],
  check({ spec, user }, report) {
    if (spec.tlsCertDurationDays > spec.tlsCADurationDays) {
      report.error(
        ['tlsCertDurationDays'],
        'cert_outlives_ca',
        `${user(['tlsCertDurationDays'])} ${spec.tlsCertDurationDays} is longer than ${user(['tlsCADurationDays'])} ${spec.tlsCADurationDays}: certificates cannot outlive their CA`,
      );
    }
  },
};

/** CloudFormation stack tags: at most 50, keys 1-128 characters and not `aws:`, values at most 256. */
const stackTagLimits: Rule = {
  inputs: [['stackTags']],
  check({ spec }, report) {
    const entries = Object.entries(spec.stackTags);
    if (entries.length > 50) {
      report.error(
        ['stackTags'],
        'too_many_stack_tags',
        `at most 50 stack tags are allowed; got ${entries.length}`,
      );
    }
    for (const [key, value] of entries) {
      if (
        key.length === 0 ||
        key.length > 128 ||
        key.toLowerCase().startsWith('aws:') ||
        key.startsWith('kaws:')
      ) {
        report.error(
          ['stackTags', key],
          'invalid_stack_tag',
          'a tag key must be 1-128 characters and must not start with "aws:" or "kaws:" (reserved)',
        );
      } else if (value.length > 256) {
        report.error(['stackTags', key], 'invalid_stack_tag', 'a tag value must be at most 256 characters');
      }
    }
  },
};

export const identityRules: readonly Rule[] = [
  kmsKeyInRegion,
  sshAccess,
  derivedNameLengths,
  certificateLifetimes,
  stackTagLimits,
];
