/** The cluster CA: generating one, and checking one that is brought or stored before issuing from it. */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import type forge from 'node-forge';
import { isCaCertificate, maySignCertificates, parseCertificate, publicKeyBits } from './certificate.ts';
import { type CaProblem, CaValidationError } from './errors.ts';
import { MIN_RSA_KEY_BITS } from './types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A brought-your-own CA must stay valid at least this long, or it would have to be replaced right away. */
export const DEFAULT_MINIMUM_CA_VALIDITY_DAYS = 30;

function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function readKey(privateKeyPem: string): { key?: KeyObject; problem?: CaProblem } {
  try {
    return { key: createPrivateKey(privateKeyPem) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      problem: {
        code: 'unreadable-key',
        message: `the private key cannot be read (${reason}); an unencrypted PEM key is required`,
      },
    };
  }
}

function certificateProblems(
  cert: forge.pki.Certificate,
  now: Date,
  minimumValidityDays: number,
): CaProblem[] {
  const problems: CaProblem[] = [];
  if (!isCaCertificate(cert)) {
    problems.push({
      code: 'not-a-ca',
      message: 'it is not a CA certificate (basicConstraints CA:TRUE missing)',
    });
  } else if (!maySignCertificates(cert)) {
    problems.push({
      code: 'cannot-sign-certificates',
      message: 'its key usage does not allow signing certificates (keyCertSign missing)',
    });
  }
  const bits = publicKeyBits(cert);
  if (bits < MIN_RSA_KEY_BITS) {
    problems.push({
      code: 'weak-key',
      message: `its RSA key has ${bits} bits; at least ${MIN_RSA_KEY_BITS} are required`,
    });
  }
  const { notBefore, notAfter } = cert.validity;
  if (notBefore > now) {
    problems.push({ code: 'not-yet-valid', message: `it is not valid before ${formatDate(notBefore)}` });
  }
  if (notAfter <= now) {
    problems.push({ code: 'expired', message: `it expired on ${formatDate(notAfter)}` });
  } else if (notAfter.getTime() - now.getTime() < minimumValidityDays * DAY_MS) {
    problems.push({
      code: 'expiring',
      message: `it expires on ${formatDate(notAfter)}, in less than ${minimumValidityDays} days`,
    });
  }
  return problems;
}

/**
 * Every reason a CA cannot be issued from: not a certificate, not RSA, not a CA, key usage without
 * keyCertSign, key under 2048 bits, not yet valid, expired or expiring within `minimumValidityDays`,
 * unreadable key, key that does not match the certificate. Empty when the CA is usable.
 */
export function caProblems(
  ca: { certificatePem: string; privateKeyPem?: string },
  options: { now: Date; minimumValidityDays: number },
): CaProblem[] {
  let cert: forge.pki.Certificate;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(ca.certificatePem);
  } catch {
    return [{ code: 'not-a-certificate', message: 'the certificate is not a PEM X.509 certificate' }];
  }
  if (x509.publicKey.asymmetricKeyType !== 'rsa') {
    const type = x509.publicKey.asymmetricKeyType ?? 'unknown';
    return [{ code: 'unsupported-key-type', message: `its key is ${type}; kaws issues from RSA CAs only` }];
  }
  try {
    cert = parseCertificate(ca.certificatePem);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ code: 'not-a-certificate', message: `the certificate cannot be read (${reason})` }];
  }
  const problems = certificateProblems(cert, options.now, options.minimumValidityDays);
  if (ca.privateKeyPem !== undefined) {
    const { key, problem } = readKey(ca.privateKeyPem);
    if (problem) problems.push(problem);
    else if (key && !x509.checkPrivateKey(key)) {
      problems.push({ code: 'key-mismatch', message: 'the private key does not match the certificate' });
    }
  }
  return problems;
}

/** Throws CaValidationError naming every problem of the CA, if it has any. */
export function assertUsableCa(
  source: string,
  ca: { certificatePem: string; privateKeyPem?: string },
  options: { now: Date; minimumValidityDays: number },
): void {
  const problems = caProblems(ca, options);
  if (problems.length > 0) throw new CaValidationError(source, problems);
}
