import { DomainError, type DomainErrorCode, type ErrorDetail } from '../../domain/errors';

/** Refusals of the finance rules, shared by the API and the CLI: a DomainError with its code. */
export type FinanceErrorCode = Exclude<DomainErrorCode, 'UNAUTHENTICATED'>;
export type FinanceErrorDetail = ErrorDetail;

export class FinanceError extends DomainError {
  constructor(code: FinanceErrorCode, message: string, details: FinanceErrorDetail[] = []) {
    super(code, message, details);
  }
}

/** A statement file that cannot be imported; `details` name each line and column. Nothing was imported. */
export class StatementFileError extends FinanceError {
  constructor(message: string, details: FinanceErrorDetail[]) {
    super('VALIDATION_FAILED', message, details);
  }
}

export const FINANCE_ROLES = ['finance_officer', 'finance_approver'] as const;

/** The finance bureau's work is the finance officer's and approver's (docs/domain.md §2.1), through the API or the CLI. */
export function requireFinance(actor: { role: string }, what: string): void {
  if (!(FINANCE_ROLES as readonly string[]).includes(actor.role)) throw new FinanceError('FORBIDDEN', `${what} needs a finance officer or approver (role ${actor.role})`);
}
