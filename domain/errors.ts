/**
 * Refusals of a rule, as a stable code the API turns into an HTTP status (api/errors.ts) and the
 * CLI prints; the message and details are for the person who asked. Workflows report the same codes
 * as `ApplicationFailure.type` (workflows/definitions.ts `failureTypes`).
 */
export const ERROR_CODES = ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'INVALID_STATE', 'UNPROCESSABLE'] as const;
export type DomainErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetail {
  path: string;
  message: string;
}

export function isErrorCode(v: unknown): v is DomainErrorCode {
  return typeof v === 'string' && (ERROR_CODES as readonly string[]).includes(v);
}

/** A refusal with a stable code and the fields it concerns; each family of refusals names its codes. */
export class CodedError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class DomainError extends CodedError<DomainErrorCode> {}
