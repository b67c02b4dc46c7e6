/**
 * PKI benchmark: the full TLS asset set of examples/ha-cluster.yaml (CA, seven leaves, service-account
 * key; RSA 2048) rendered in-process by kaws and written to a folder, against a bash script that makes
 * the same set with the openssl CLI, one command after another, the way operators scripted it before.
 * The script is generated from kaws's own profiles, so subjects, SANs, usages and key sizes match.
 * Runs alternate (kaws, openssl, kaws, ...) so drift hits both; medians and their ratio are reported.
 * Target: kaws <= 0.5x the openssl script. A third variant, kaws with keys generated one at a time,
 * shows what generating keys in parallel buys.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadClusterSpec } from '../lib/spec/index.ts';
import {
  type CertificateProfile,
  credentialFilesOf,
  type KeyGenerator,
  LEAF_NAMES,
  leafProfiles,
  nodeKeyGenerator,
  type PkiRequest,
  pkiRequestFromSpec,
  renderTlsAssets,
  systemTlsDependencies,
} from '../lib/tls/index.ts';
import { type BenchReport, fmt, median } from './stats.ts';

const execFileAsync = promisify(execFile);
const RUNS = 7;
const KEY_BITS = 2048;

function leafCommand(name: string, profile: CertificateProfile, days: number): string {
  const subject = [...profile.organizations.map((o) => `/O=${o}`), `/CN=${profile.commonName}`].join('');
  const sans = [...profile.dnsNames.map((d) => `DNS:${d}`), ...profile.ipAddresses.map((ip) => `IP:${ip}`)];
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    `keyUsage=critical,${profile.keyUsage.join(',')}`,
    `extendedKeyUsage=${profile.extendedKeyUsage.join(',')}`,
    ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
  ];
  return [
    `openssl req -config minimal.cnf -new -newkey rsa:${KEY_BITS} -nodes -keyout ${name}-key.pem`,
    `-subj '${subject}' -CA ca.pem -CAkey ca-key.pem -days ${days} -sha256`,
    ...extensions.map((e) => `-addext '${e}'`),
    `-out ${name}.pem`,
  ].join(' ');
}

/** The openssl script for the same asset set: one openssl process per key, sequential. */
export function opensslScript(request: PkiRequest): string {
  const profiles = leafProfiles(request);
  return [
    'set -euo pipefail',
    "printf '[req]\\ndistinguished_name = dn\\n[dn]\\n' > minimal.cnf",
    [
      `openssl req -config minimal.cnf -x509 -new -newkey rsa:${KEY_BITS} -nodes -keyout ca-key.pem`,
      `-subj '/CN=${request.caCommonName}' -days ${request.caDurationDays} -sha256`,
      "-addext 'basicConstraints=critical,CA:TRUE'",
      "-addext 'keyUsage=critical,digitalSignature,keyCertSign,cRLSign'",
      "-addext 'subjectKeyIdentifier=hash' -out ca.pem",
    ].join(' '),
    ...LEAF_NAMES.map((name) => leafCommand(name, profiles[name], request.certDurationDays)),
    `openssl genrsa -out service-account-key.pem ${KEY_BITS}`,
    '',
  ].join('\n');
}

/** One key at a time: what kaws would cost without parallel key generation. */
function sequentialKeys(): KeyGenerator {
  let queue: Promise<unknown> = Promise.resolve();
  return (request) => {
    const next = queue.then(() => nodeKeyGenerator(request));
    queue = next.catch(() => undefined);
    return next;
  };
}

async function renderWithKaws(request: PkiRequest, dir: string, generateKey?: KeyGenerator): Promise<void> {
  const deps = { ...systemTlsDependencies(new Date()), ...(generateKey ? { generateKey } : {}) };
  const { assets } = await renderTlsAssets({ request, generateCa: true }, deps);
  for (const file of credentialFilesOf(assets)) {
    await writeFile(join(dir, file.name), file.contents, { mode: file.secret ? 0o600 : 0o644 });
  }
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** The openssl script's output must be the same set, valid: otherwise the comparison means nothing. */
async function checkOpensslSet(dir: string): Promise<void> {
  for (const name of LEAF_NAMES) {
    const { stdout } = await execFileAsync('openssl', ['verify', '-CAfile', 'ca.pem', `${name}.pem`], {
      cwd: dir,
    });
    if (stdout.trim() !== `${name}.pem: OK`) throw new Error(`openssl script: ${name}.pem does not verify`);
  }
}

export async function run(): Promise<BenchReport> {
  const spec = loadClusterSpec(
    await readFile(new URL('../examples/ha-cluster.yaml', import.meta.url), 'utf8'),
  );
  const request = pkiRequestFromSpec(spec);
  const base = await mkdtemp(join(tmpdir(), 'kaws-pki-bench-'));
  try {
    await writeFile(join(base, 'make-credentials.sh'), opensslScript(request));
    const fresh = async (label: string, index: number) => {
      const dir = join(base, `${label}-${index}`);
      await mkdir(dir);
      return dir;
    };
    // Warm-up: module loading, JIT, the page cache for openssl.
    await renderWithKaws(request, await fresh('warmup-kaws', 0));
    await execFileAsync('bash', [join(base, 'make-credentials.sh')], {
      cwd: await fresh('warmup-openssl', 0),
    });

    const kaws: number[] = [];
    const openssl: number[] = [];
    const sequential: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const kawsDir = await fresh('kaws', i);
      kaws.push(await timed(() => renderWithKaws(request, kawsDir)));
      const opensslDir = await fresh('openssl', i);
      openssl.push(
        await timed(async () => {
          await execFileAsync('bash', [join(base, 'make-credentials.sh')], { cwd: opensslDir });
        }),
      );
      const sequentialDir = await fresh('sequential', i);
      sequential.push(await timed(() => renderWithKaws(request, sequentialDir, sequentialKeys())));
      if (i === 0) await checkOpensslSet(opensslDir);
    }
    const kawsMedian = median(kaws);
    const opensslMedian = median(openssl);
    const sequentialMedian = median(sequential);
    const ratio = kawsMedian / opensslMedian;
    const keys = LEAF_NAMES.length + 2;
    const list = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
    return {
      name: 'pki',
      lines: [
        `full asset set of examples/ha-cluster.yaml: ${keys} RSA ${KEY_BITS} keys, ${LEAF_NAMES.length + 1} certificates; ` +
          `${RUNS} runs each, ${cpus().length} CPUs`,
        `kaws in-process (keys in parallel): median ${fmt(kawsMedian)}  [${list(kaws)}]`,
        `openssl CLI script (sequential):    median ${fmt(opensslMedian)}  [${list(openssl)}]`,
        `kaws with keys one at a time:       median ${fmt(sequentialMedian)}  [${list(sequential)}]`,
        `ratio kaws / openssl: ${ratio.toFixed(2)}x (target <= 0.50x) ${ratio <= 0.5 ? 'MET' : 'NOT MET'}`,
        `parallel key generation saves ${(100 * (1 - kawsMedian / sequentialMedian)).toFixed(0)}% ` +
          `against kaws one key at a time`,
      ],
      figures: {
        runs: RUNS,
        keys,
        cpus: cpus().length,
        kawsMedianMs: kawsMedian,
        opensslMedianMs: opensslMedian,
        kawsSequentialKeysMedianMs: sequentialMedian,
        ratioKawsToOpenssl: ratio,
        ratioSequentialKawsToOpenssl: sequentialMedian / opensslMedian,
      },
    };
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
