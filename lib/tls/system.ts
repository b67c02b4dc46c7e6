/**
 * The real-world sources of a render's keys and randomness, for callers (CLI, step handlers) to pass
 * in as TlsDependencies. Nothing else in lib/tls calls them, so lib/tls's functions stay pure.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import type { KeyGenerator, TlsDependencies } from './types.ts';

/**
 * RSA keys from Node's native crypto, generated on libuv's thread pool: concurrent calls run in
 * parallel. Returns PKCS#1 PEM, the format kube-aws wrote.
 */
export const nodeKeyGenerator: KeyGenerator = ({ bits }) =>
  new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: bits,
        publicExponent: 0x10001,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      },
      (error, _publicKey, privateKey) => (error ? reject(error) : resolve(privateKey)),
    );
  });

/** Dependencies backed by Node's CSPRNG and key generator; the clock is the caller's. */
export function systemTlsDependencies(now: Date): TlsDependencies {
  return { now, randomBytes: (size) => new Uint8Array(randomBytes(size)), generateKey: nodeKeyGenerator };
}
