// Opens a kaws KMS envelope (lib/aws/envelope.ts, version 1) on a node, in a Node.js container:
// Flatcar has no tool for AES-256-GCM. The data key's KMS call happens outside (the AWS CLI), so
// this script never sees AWS credentials and runs without a network.
//
//   kaws-envelope.mjs data-key ENVELOPE          prints the wrapped data key (base64)
//   kaws-envelope.mjs open ENVELOPE CLUSTER DIR  reads the plaintext data key (base64) on stdin and
//                                                writes each asset to DIR/<name>, mode 0600
import { createDecipheriv, createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function fail(message) {
  process.stderr.write(`kaws-envelope: ${message}\n`);
  process.exit(1);
}

function readEnvelope(path) {
  let envelope;
  try {
    envelope = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(`${path}: not a readable JSON envelope (${error.message})`);
  }
  if (envelope?.version !== 1) fail(`${path}: unsupported envelope version ${envelope?.version}`);
  if (typeof envelope.encryptedDataKey !== 'string') fail(`${path}: no encryptedDataKey`);
  if (typeof envelope.assets !== 'object' || envelope.assets === null) fail(`${path}: no assets`);
  return envelope;
}

/** Decrypts and checks every asset first, then writes them: a bad envelope leaves no file behind. */
function open(envelope, cluster, dataKey, directory) {
  const opened = [];
  for (const name of Object.keys(envelope.assets).sort()) {
    if (!SAFE_NAME.test(name)) fail(`asset name ${JSON.stringify(name)} is not a plain file name`);
    const { ciphertext, sha256 } = envelope.assets[name];
    const raw = Buffer.from(ciphertext, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) fail(`asset ${name}: the ciphertext is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', dataKey, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(JSON.stringify({ cluster, asset: name }), 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    let plaintext;
    try {
      plaintext = Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      fail(`asset ${name}: the ciphertext fails authentication (tampered with, or not this cluster's)`);
    }
    if (createHash('sha256').update(plaintext).digest('hex') !== sha256) {
      fail(`asset ${name}: the decrypted content does not match its SHA-256`);
    }
    opened.push([name, plaintext]);
  }
  for (const [name, plaintext] of opened) {
    const target = `${directory}/${name}`;
    writeFileSync(`${target}.tmp`, plaintext, { mode: 0o600 });
    renameSync(`${target}.tmp`, target);
  }
}

const [command, path, cluster, directory] = process.argv.slice(2);
if (command === 'data-key' && path) {
  process.stdout.write(`${readEnvelope(path).encryptedDataKey}\n`);
} else if (command === 'open' && path && cluster && directory) {
  const envelope = readEnvelope(path);
  const dataKey = Buffer.from(readFileSync(0, 'utf8').trim(), 'base64');
  if (dataKey.length !== 32) fail('the data key on stdin is not 32 bytes of base64');
  open(envelope, cluster, dataKey, directory);
  dataKey.fill(0);
} else {
  fail('usage: kaws-envelope.mjs data-key ENVELOPE | open ENVELOPE CLUSTER DIR');
}
