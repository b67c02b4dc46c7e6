/**
 * A small typed vocabulary for CloudFormation templates: the template shape, intrinsic functions,
 * and the canonical serialization every rendered template goes through.
 *
 * Why builders instead of text templates with placeholders: a stack's shape depends on the spec
 * (new or existing VPC, classic or network load balancer, spot or on-demand, one resource per
 * subnet or etcd member). Text templates would need conditionals, which DESIGN.md keeps out of
 * templates/; typed builders keep that logic in code that the compiler checks, as eksctl does.
 */

/** Any JSON value a template may contain (intrinsics are plain objects too). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A value CloudFormation resolves at deploy time, or a literal. */
export type Value = Json;

export interface Resource {
  Type: string;
  Properties?: { [key: string]: Json };
  DependsOn?: string[];
  CreationPolicy?: { [key: string]: Json };
  UpdatePolicy?: { [key: string]: Json };
  DeletionPolicy?: 'Delete' | 'Retain' | 'Snapshot' | 'RetainExceptOnCreate';
  UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot';
  Metadata?: { [key: string]: Json };
}

export interface Parameter {
  Type: string;
  Description: string;
  Default?: string;
  AllowedPattern?: string;
}

export interface Output {
  Description: string;
  Value: Value;
  Export?: { Name: string };
}

export interface Template {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Metadata?: { [key: string]: Json };
  Parameters?: Record<string, Parameter>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, Output>;
}

export const ref = (logicalId: string): Json => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string): Json => ({
  'Fn::GetAtt': [logicalId, attribute],
});
export const sub = (text: string): Json => ({ 'Fn::Sub': text });
export const importValue = (exportName: string): Json => ({ 'Fn::ImportValue': exportName });
export const base64 = (value: Json): Json => ({ 'Fn::Base64': value });

/** `Key`/`Value` tag list, sorted by key so the template does not depend on the spec's key order. */
export function tagList(tags: Record<string, string>, extra: { PropagateAtLaunch?: boolean } = {}): Json[] {
  return Object.keys(tags)
    .sort()
    .map((key) => ({ Key: key, Value: tags[key] as string, ...extra }));
}

/** Recursively sorts object keys (arrays keep their order: order there is meaningful). */
export function canonicalize(value: Json): Json {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value !== null && typeof value === 'object') {
    const sorted: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const child = value[key];
      if (child !== undefined) sorted[key] = canonicalize(child);
    }
    return sorted;
  }
  return value;
}

/**
 * The one way a template becomes text: keys sorted at every level, two-space indent, trailing newline.
 * Same template object (whatever the insertion order) -> same bytes.
 */
export function serializeTemplate(template: Template): string {
  return `${JSON.stringify(canonicalize(template as unknown as Json), null, 2)}\n`;
}

/**
 * Resource Metadata that makes cfn-lint skip `checks` on that one resource. Every use is listed,
 * with its reason, in templates/README.md.
 */
export const cfnLintIgnore = (...checks: string[]): { [key: string]: Json } => ({
  'cfn-lint': { config: { ignore_checks: checks } },
});

/** cfn-lint W3010 "avoid hardcoding availability zones": kaws's zones come from the spec, by design. */
export const SPEC_AVAILABILITY_ZONE = 'W3010';
