/**
 * Ignition (spec 3.4.0, what Flatcar Container Linux boots from): the few types kaws writes and the
 * small bootstrap every node gets as userdata, which replaces itself with the role's full config
 * fetched from S3 and checked against its SHA-512. Ignition reads `s3://` sources with the
 * instance profile's credentials.
 */
import { createHash } from 'node:crypto';
import { canonicalize, type Json } from '../cfn.ts';

export const IGNITION_VERSION = '3.4.0';

export interface IgnitionFile {
  path: string;
  /** Decimal (Ignition's JSON has no octal): 420 = 0644, 384 = 0600, 493 = 0755. */
  mode: number;
  overwrite: true;
  contents: { source: string };
}

export interface IgnitionLink {
  path: string;
  target: string;
  hard: false;
  overwrite: true;
}

export interface IgnitionUnit {
  name: string;
  enabled?: boolean;
  contents?: string;
}

export interface IgnitionConfig {
  ignition: {
    version: typeof IGNITION_VERSION;
    config?: { replace: { source: string; verification: { hash: string } } };
  };
  passwd?: { users: Array<{ name: string; sshAuthorizedKeys: string[] }> };
  storage?: {
    directories?: Array<{ path: string; mode: number }>;
    files?: IgnitionFile[];
    links?: IgnitionLink[];
  };
  systemd?: { units: IgnitionUnit[] };
}

export const MODE_PUBLIC = 0o644;
export const MODE_EXECUTABLE = 0o755;

/** A file whose contents travel inside the config (RFC 2397 data URL, base64). */
export function inlineFile(path: string, contents: string, mode: number = MODE_PUBLIC): IgnitionFile {
  return {
    path,
    mode,
    overwrite: true,
    contents: { source: `data:;base64,${Buffer.from(contents, 'utf8').toString('base64')}` },
  };
}

/** A file Ignition downloads at boot. */
export function remoteFile(path: string, url: string, mode: number = MODE_PUBLIC): IgnitionFile {
  return { path, mode, overwrite: true, contents: { source: url } };
}

/** Canonical text of a config: sorted keys, two-space indent, trailing newline. */
export function serializeIgnition(config: IgnitionConfig): string {
  return `${JSON.stringify(canonicalize(config as unknown as Json), null, 2)}\n`;
}

/** Ignition's hash notation: `sha512-<hex>`. */
export const ignitionHash = (text: string) =>
  `sha512-${createHash('sha512').update(text, 'utf8').digest('hex')}`;

/** The userdata: a config that only says "replace me with this S3 object, if its hash matches". */
export function bootstrapConfig(source: string, fullConfigText: string): string {
  const config: IgnitionConfig = {
    ignition: {
      version: IGNITION_VERSION,
      config: { replace: { source, verification: { hash: ignitionHash(fullConfigText) } } },
    },
  };
  // Compact: it is embedded in the template as a string and counts against EC2's 16 KB.
  return JSON.stringify(canonicalize(config as unknown as Json));
}
