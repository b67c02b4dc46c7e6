/**
 * Reading API Gateway HTTP API (payload 2.0) requests: caller identity, headers, body with its media
 * type and size limit, path and query parameters, If-Match. Every refusal is a problem (problems.ts).
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { SpecFormat } from '../../lib/service/spec-input.ts';
import { problem } from './problems.ts';

export type ApiEvent = APIGatewayProxyEventV2WithIAMAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

/**
 * Largest request body accepted: lib/spec's limit (MAX_SPEC_BYTES, a test checks they agree), written
 * out so that functions which never parse a spec do not bundle the parser for a number.
 */
export const MAX_BODY_BYTES = 256 * 1024;

const MEDIA_TYPES: Record<string, SpecFormat> = {
  'application/json': 'json',
  'application/yaml': 'yaml',
  'text/yaml': 'yaml',
};
export const ACCEPTED_MEDIA_TYPES = Object.keys(MEDIA_TYPES);

/** The caller as IAM authorization identified it; `anonymous` never happens behind the IAM authorizer. */
export function callerOf(event: ApiEvent): string {
  const iam = event.requestContext?.authorizer?.iam;
  return iam?.userArn || iam?.callerId || 'anonymous';
}

/** A request header (HTTP API lower-cases names). */
export function header(event: ApiEvent, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): ApiResult {
  return { statusCode, headers: { 'content-type': contentType, ...headers }, body: JSON.stringify(body) };
}

/** The raw body bytes (API Gateway base64-encodes binary bodies). */
export function bodyBytes(event: ApiEvent): Buffer {
  const raw = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
}

/**
 * The body of a spec-carrying request: checks media type (415), size (413) and presence (400).
 */
export function readSpecBody(event: ApiEvent): { bytes: Buffer; format: SpecFormat } {
  const contentType = header(event, 'content-type');
  const accepted = `send ${ACCEPTED_MEDIA_TYPES.join(', ')}`;
  if (!contentType) throw problem(415, 'unsupported-media-type', `Content-Type is missing; ${accepted}`);
  const [mediaType = '', ...params] = contentType.split(';').map((part) => part.trim());
  const format = MEDIA_TYPES[mediaType.toLowerCase()];
  if (!format) {
    throw problem(
      415,
      'unsupported-media-type',
      `Content-Type ${JSON.stringify(mediaType)} is not supported; ${accepted}`,
    );
  }
  const charset = params
    .map((p) => p.split('='))
    .find(([name]) => name?.trim().toLowerCase() === 'charset')?.[1]
    ?.trim()
    .replace(/^"|"$/g, '')
    .toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw problem(
      415,
      'unsupported-media-type',
      `charset ${JSON.stringify(charset)} is not supported; send UTF-8`,
    );
  }
  const bytes = bodyBytes(event);
  if (bytes.length > MAX_BODY_BYTES) {
    throw problem(
      413,
      'payload-too-large',
      `the body is ${bytes.length} bytes; at most ${MAX_BODY_BYTES} are accepted`,
    );
  }
  if (bytes.length === 0)
    throw problem(400, 'missing-body', 'the request has no body; send the cluster spec');
  return { bytes, format };
}

/** Path parameters, URL-decoded once (as API Gateway does) and validated. */
export function pathParams<T extends z.ZodType>(event: ApiEvent, schema: T): z.infer<T> {
  const parsed = schema.safeParse(event.pathParameters ?? {});
  if (!parsed.success) throw problem(404, 'not-found', `no resource at ${event.rawPath}`);
  return parsed.data;
}

/** Query parameters validated against `schema`; unknown or invalid ones are a 400 naming each. */
export function queryParams<T extends z.ZodType>(event: ApiEvent, schema: T): z.infer<T> {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') return `unknown query parameter(s): ${issue.keys.join(', ')}`;
      return `query parameter ${path}: ${issue.message}`;
    });
    throw problem(400, 'invalid-parameter', problems.join('; '), {
      errors: parsed.error.issues.map((issue) => ({
        path: issue.code === 'unrecognized_keys' ? issue.keys.join(',') : issue.path.join('.'),
        code: issue.code,
        message: issue.message,
      })),
    });
  }
  return parsed.data;
}

export type IfMatch = { any: true } | { specVersions: number[] };

/** If-Match of a request that must have one (PUT, node pool changes): 428 without it. */
export function requireIfMatch(event: ApiEvent): IfMatch {
  const ifMatch = parseIfMatch(header(event, 'if-match'));
  if (!ifMatch) {
    throw problem(
      428,
      'precondition-required',
      'send If-Match with the ETag of the cluster you read (GET /clusters/{name})',
    );
  }
  return ifMatch;
}

/**
 * Parses If-Match (RFC 9110 §13.1.1): `*` or a list of entity tags. Strong comparison: weak tags
 * (W/"...") never match, and neither does a tag that is not one of ours; both are kept as "no match".
 */
export function parseIfMatch(value: string | undefined): IfMatch | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '*') return { any: true };
  const tag = /\s*(W\/)?"([\x21\x23-\x7E\x80-\xFF]*)"\s*(?:,|$)/y;
  const specVersions: number[] = [];
  let position = 0;
  while (position < trimmed.length) {
    tag.lastIndex = position;
    const match = tag.exec(trimmed);
    if (!match) {
      throw problem(
        400,
        'invalid-if-match',
        'If-Match must be "*" or a list of entity tags like "3" (quotes included)',
      );
    }
    const opaque = match[2] ?? '';
    if (!match[1] && /^[1-9]\d{0,14}$/.test(opaque)) specVersions.push(Number(opaque));
    position = tag.lastIndex;
  }
  if (position === 0) throw problem(400, 'invalid-if-match', 'If-Match is empty');
  return { specVersions };
}
