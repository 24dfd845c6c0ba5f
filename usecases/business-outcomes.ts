import type { Knex } from 'knex';

/**
 * THE rule for "this trainee started a business" (docs/programmes.md), in one place: the training
 * subsidy's outcome part pays for trainees who did so between their certificate and the end of the
 * window. Today the one recorded fact is a guaranteed loan disbursed to them in the window.
 *
 * MERGE NOTE: once the follow-up visits (`follow_up_visits`, keyed by loan) exist, a visit in the
 * window recording a registered business counts too: join them here, and only here.
 */
export async function startedBusiness(
  db: Knex | Knex.Transaction,
  idNumber: string,
  from: string,
  to: string,
): Promise<{ startedOn: string; loanId: string } | null> {
  const loan = await db('loans')
    .where({ borrower_id_number: idNumber })
    .whereBetween('disbursed_on', [from, to])
    .orderBy([{ column: 'disbursed_on' }, { column: 'id' }])
    .first('id', 'disbursed_on');
  return loan ? { startedOn: loan.disbursed_on, loanId: loan.id } : null;
}
