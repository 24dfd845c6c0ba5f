import type { Knex } from 'knex';

/**
 * THE rule for "this trainee started a business" (docs/programmes.md), in one place: the training
 * subsidy's outcome part pays for trainees who did so between their certificate and the end of the
 * window. Two recorded facts count, whichever came first: a guaranteed loan disbursed to them in
 * the window, or a follow-up visit in the window that found their business registered (a unified
 * social credit code recorded).
 */
export async function startedBusiness(
  db: Knex | Knex.Transaction,
  idNumber: string,
  from: string,
  to: string,
): Promise<{ startedOn: string; loanId: string } | null> {
  const loan = db('loans')
    .where({ borrower_id_number: idNumber })
    .whereBetween('disbursed_on', [from, to])
    .select({ started_on: 'disbursed_on', loan_id: 'id' });
  const visit = db('follow_up_visits as v')
    .join('loans as l', 'l.id', 'v.loan_id')
    .where('l.borrower_id_number', idNumber)
    .whereNotNull('v.business_registration_no')
    .whereBetween('v.visited_on', [from, to])
    .select({ started_on: 'v.visited_on', loan_id: 'l.id' });
  const first = await db
    .from(loan.unionAll(visit, true).as('s'))
    .orderBy([{ column: 'started_on' }, { column: 'loan_id' }])
    .first('started_on', 'loan_id');
  return first ? { startedOn: first.started_on, loanId: first.loan_id } : null;
}
