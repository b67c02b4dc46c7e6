/**
 * The CLI's HTTP client for the kaws API: JSON in and out, problem documents (RFC 9457) turned into
 * `kaws: <title>: <detail>` errors naming every validation error's path, SigV4 signing when the endpoint
 * is an API Gateway (`*.execute-api.<region>.amazonaws.com`) host, and the caller header locally.
 */
import { type Command, Option } from 'commander';
import {
  createApiRequestSigner,
  executeApiRegion,
  type RequestSigner,
} from '../../lib/aws/api-request-signer.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './errors.ts';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';

export interface ApiOptions {
  endpoint: string;
  caller?: string;
}

/** Adds --endpoint and --caller to a verb. */
export function withApiOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--endpoint <url>', 'the kaws API (SigV4-signed when it is an execute-api host)')
        .env('KAWS_ENDPOINT')
        .default(DEFAULT_ENDPOINT),
    )
    .addOption(
      new Option(
        '--caller <identity>',
        'who you are to a local API (X-Kaws-Caller); AWS uses your IAM identity',
      ).env('KAWS_CALLER'),
    );
}

/** A problem document, as the API sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ path: string; message: string; code?: string }>;
  currentOperation?: { id: string; type: string; href: string };
  clusterName?: string;
  clusterStatus?: string;
}

/** `<title>: <detail>`, then one line per validation error with its path. */
export function formatProblem(problem: Problem, status: number): string {
  const head = [problem.title ?? `HTTP ${status}`, problem.detail].filter(Boolean).join(': ');
  const lines = (problem.errors ?? []).map((e) => `  ${e.path || '(document)'}: ${e.message}`);
  return [head, ...lines].join('\n');
}

/** The API refused the request; `problem` is its problem document. */
export class ApiProblemError extends CliError {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(formatProblem(problem, status), EXIT_FAILED);
    this.name = 'ApiProblemError';
  }

  /** The problem's slug (`urn:kaws:problem:<slug>`). */
  get slug(): string {
    return (this.problem.type ?? '').replace(/^urn:kaws:problem:/, '');
  }
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

export class KawsApi {
  readonly endpoint: URL;
  private readonly signer: RequestSigner | undefined;

  constructor(
    private readonly options: ApiOptions,
    signer?: RequestSigner,
  ) {
    let endpoint: URL;
    try {
      endpoint = new URL(options.endpoint);
    } catch {
      throw new CliError(`--endpoint ${JSON.stringify(options.endpoint)} is not a URL`, EXIT_USAGE);
    }
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
      throw new CliError(`--endpoint must be an http(s) URL, not ${endpoint.protocol}`, EXIT_USAGE);
    }
    this.endpoint = endpoint;
    const region = executeApiRegion(endpoint.hostname);
    this.signer = signer ?? (region ? createApiRequestSigner({ region }) : undefined);
  }

  /** Sends a request; 2xx resolves with the parsed body, anything else throws (ApiProblemError or CliError). */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const base = this.endpoint.href.replace(/\/+$/, '');
    const url = new URL(`${base}${path}`);
    let headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    if (this.options.caller && !this.signer) headers['x-kaws-caller'] = this.options.caller;
    if (this.signer) {
      try {
        headers = await this.signer({
          method,
          url,
          headers,
          ...(options.body !== undefined ? { body: options.body } : {}),
        });
      } catch (error) {
        throw new CliError(`cannot sign the request with your AWS credentials: ${(error as Error).message}`);
      }
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: options.body } : {}),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      const hint =
        url.hostname === '127.0.0.1' || url.hostname === 'localhost' ? ' (is `npm start` running?)' : '';
      throw new CliError(`cannot reach the kaws API at ${this.endpoint.origin}: ${reason}${hint}`);
    }
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    let body: unknown = text;
    if (/json/i.test(type) && text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new CliError(`the kaws API answered ${response.status} with malformed JSON`);
      }
    }
    if (response.ok) return { status: response.status, headers: response.headers, body: body as T };
    if (typeof body === 'object' && body !== null)
      throw new ApiProblemError(response.status, body as Problem);
    throw new CliError(`the kaws API answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
}

/** The API client of a verb's options. */
export function apiFrom(options: ApiOptions): KawsApi {
  return new KawsApi(options);
}

/** A path segment, encoded. */
export const segment = (value: string) => encodeURIComponent(value);
