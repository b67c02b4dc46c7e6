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
import { cpus, loadavg, tmpdir } from 'node:os';
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
const RUNS = 9;
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
    // The CPU time of the shell and of every openssl it ran, for the bench (not part of the recipe).
    'times',
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

interface Sample {
  wallMs: number;
  /** CPU time (user + system) spent on the set, every thread and child process included. */
  cpuMs: number;
}

async function measureKaws(request: PkiRequest, dir: string, generateKey?: KeyGenerator): Promise<Sample> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  await renderWithKaws(request, dir, generateKey);
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

/** Seconds in bash's `times` format (`1m2.345s`). */
const timesSeconds = (value: string) => {
  const match = /^(\d+)m([\d.]+)s$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
};

async function measureOpenssl(script: string, dir: string): Promise<Sample> {
  const start = performance.now();
  const { stdout } = await execFileAsync('bash', [script], { cwd: dir });
  const wallMs = performance.now() - start;
  // `times` prints the shell's user/system time, then its children's.
  const seconds = stdout.trim().split(/\s+/).slice(-4).map(timesSeconds);
  return { wallMs, cpuMs: seconds.reduce((sum, value) => sum + value, 0) * 1000 };
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
  // Parallel key generation needs idle CPUs: other load on the machine shrinks kaws's advantage.
  const [loadAtStart = 0] = loadavg();
  const base = await mkdtemp(join(tmpdir(), 'kaws-pki-bench-'));
  try {
    await writeFile(join(base, 'make-credentials.sh'), opensslScript(request));
    const fresh = async (label: string, index: number) => {
      const dir = join(base, `${label}-${index}`);
      await mkdir(dir);
      return dir;
    };
    // Warm-up: module loading, JIT, the page cache for openssl.
    await measureKaws(request, await fresh('warmup-kaws', 0));
    await measureOpenssl(join(base, 'make-credentials.sh'), await fresh('warmup-openssl', 0));

    const script = join(base, 'make-credentials.sh');
    const kaws: Sample[] = [];
    const openssl: Sample[] = [];
    const sequential: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      kaws.push(await measureKaws(request, await fresh('kaws', i)));
      const opensslDir = await fresh('openssl', i);
      openssl.push(await measureOpenssl(script, opensslDir));
      sequential.push(await measureKaws(request, await fresh('sequential', i), sequentialKeys()));
      if (i === 0) await checkOpensslSet(opensslDir);
    }
    const wall = (samples: Sample[]) => median(samples.map((s) => s.wallMs));
    const cpu = (samples: Sample[]) => median(samples.map((s) => s.cpuMs));
    const ratio = wall(kaws) / wall(openssl);
    const keys = LEAF_NAMES.length + 2;
    const list = (samples: Sample[]) => samples.map((s) => s.wallMs.toFixed(0)).join(', ');
    const row = (label: string, samples: Sample[]) =>
      `${label} median ${fmt(wall(samples))} wall, ${fmt(cpu(samples))} CPU  [wall: ${list(samples)}]`;
    return {
      name: 'pki',
      lines: [
        `full asset set of examples/ha-cluster.yaml: ${keys} RSA ${KEY_BITS} keys, ${LEAF_NAMES.length + 1} certificates; ` +
          `${RUNS} runs each, ${cpus().length} CPUs, load average ${loadAtStart.toFixed(2)} at start`,
        row('kaws in-process (keys in parallel):', kaws),
        row('openssl CLI script (sequential):   ', openssl),
        row('kaws with keys one at a time:      ', sequential),
        `ratio kaws / openssl (wall): ${ratio.toFixed(2)}x (target <= 0.50x) ${ratio <= 0.5 ? 'MET' : 'NOT MET'}`,
        `ratio kaws / openssl (CPU): ${(cpu(kaws) / cpu(openssl)).toFixed(2)}x; ` +
          `parallel keys save ${(100 * (1 - wall(kaws) / wall(sequential))).toFixed(0)}% wall against one at a time`,
      ],
      figures: {
        runs: RUNS,
        keys,
        cpus: cpus().length,
        loadAverageAtStart: loadAtStart,
        kawsMedianMs: wall(kaws),
        opensslMedianMs: wall(openssl),
        kawsSequentialKeysMedianMs: wall(sequential),
        kawsCpuMedianMs: cpu(kaws),
        opensslCpuMedianMs: cpu(openssl),
        ratioKawsToOpenssl: ratio,
        ratioKawsToOpensslCpu: cpu(kaws) / cpu(openssl),
        ratioSequentialKawsToOpenssl: wall(sequential) / wall(openssl),
      },
    };
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
