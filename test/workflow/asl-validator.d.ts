/** asl-validator 4 ships no types: the part of its API the tests use. */
declare module 'asl-validator' {
  interface AslValidationResult {
    isValid: boolean;
    errors: Array<{ message?: string }>;
    errorsText(separator?: string): string;
  }
  export default function aslValidator(definition: unknown): AslValidationResult;
}
