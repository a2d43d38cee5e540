/** asl-validator 4.0.0 ships no type declarations; its CommonJS export, as dist/src/validator.js defines it. */
declare module 'asl-validator' {
  interface AslValidationError {
    readonly 'Error code': string;
    readonly Message: string;
  }
  interface AslValidationResult {
    readonly isValid: boolean;
    readonly errors: AslValidationError[];
    errorsText(separator?: string): string;
  }
  /** Validates an Amazon States Language definition (JSON schemas, JSONPath syntax, resource ARNs). */
  function validator(definition: unknown, opts?: { checkPaths?: boolean; checkArn?: boolean }): AslValidationResult;
  export = validator;
}
