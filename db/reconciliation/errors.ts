/**
 * Refusals of the finance rules, shared by the API and the CLI. The codes are the API's
 * (api/errors.ts), so a route passes them on unchanged and the CLI prints the same message.
 */
export type FinanceErrorCode = 'VALIDATION_FAILED' | 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT' | 'INVALID_STATE' | 'UNPROCESSABLE';

export interface FinanceErrorDetail {
  path: string;
  message: string;
}

export class FinanceError extends Error {
  constructor(
    readonly code: FinanceErrorCode,
    message: string,
    readonly details: FinanceErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'FinanceError';
  }
}

/** A statement file that cannot be imported; `details` name each line and column. Nothing was imported. */
export class StatementFileError extends FinanceError {
  constructor(message: string, details: FinanceErrorDetail[]) {
    super('VALIDATION_FAILED', message, details);
    this.name = 'StatementFileError';
  }
}

export const FINANCE_ROLES = ['finance_officer', 'finance_approver'] as const;

/** The finance bureau's work is the finance officer's and approver's (SPEC §2), through the API or the CLI. */
export function requireFinance(actor: { role: string }, what: string): void {
  if (!(FINANCE_ROLES as readonly string[]).includes(actor.role)) throw new FinanceError('FORBIDDEN', `${what} needs a finance officer or approver (role ${actor.role})`);
}
