/** Errors of lib/tls. Each names what is wrong in words a cluster operator can act on. */

export type CaProblemCode =
  | 'not-a-certificate'
  | 'unsupported-key-type'
  | 'not-a-ca'
  | 'cannot-sign-certificates'
  | 'weak-key'
  | 'not-yet-valid'
  | 'expired'
  | 'expiring'
  | 'unreadable-key'
  | 'key-mismatch';

export interface CaProblem {
  code: CaProblemCode;
  message: string;
}

/** A CA (brought by the user, or stored) that kaws cannot issue from. Lists every problem found. */
export class CaValidationError extends Error {
  constructor(
    /** Which CA, e.g. `the provided CA`. */
    readonly source: string,
    readonly problems: CaProblem[],
  ) {
    super(`${source} cannot be used: ${problems.map((p) => p.message).join('; ')}`);
    this.name = 'CaValidationError';
  }
}

/** A render that cannot proceed with what it was given (no CA, no CA key for a needed issuance, ...). */
export class TlsRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsRenderError';
  }
}
