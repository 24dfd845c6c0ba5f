import type { Knex } from 'knex';
import type { Db } from '../ledger';

/**
 * The ledger side of a reconciliation: subsidy payouts to banks. A PAID subsidy claim points at its
 * payout entry (`subsidy_claims.payout_entry_id`); what the bank was paid is that entry's debit on
 * the bank's `subsidy_payable` account, on the entry's business date. A payout that has been
 * reversed is not expected on any statement (the reversal undid it).
 *
 * Returns SQL with `?` bindings, for use inside larger statements (matching, the close check).
 */
export function payoutsSql(where: { bankId?: string; from: string; to: string }): { sql: string; bindings: Knex.RawBinding[] } {
  const bindings: Knex.RawBinding[] = [where.from, where.to];
  let bankFilter = '';
  if (where.bankId) {
    bankFilter = 'and c.bank_id = ?::uuid';
    bindings.push(where.bankId);
  }
  return {
    sql: `select c.id as claim_id, c.bank_id, c.quarter as claim_quarter, e.id as entry_id, e.posted_on, l.amount
            from subsidy_claims c
            join ledger_entries e on e.id = c.payout_entry_id
            join ledger_accounts a on a.code = 'bank:' || c.bank_id::text || ':subsidy_payable'
            join ledger_lines l on l.entry_id = e.id and l.account_id = a.id and l.side = 'debit'
           where e.posted_on between ?::date and ?::date ${bankFilter}
             and not exists (select 1 from ledger_entries r where r.reverses_entry_id = e.id)`,
    bindings,
  };
}

export interface Payout {
  claimId: string;
  bankId: string;
  entryId: number;
  postedOn: string;
  amount: string;
}

export async function listPayouts(db: Db, where: { bankId?: string; from: string; to: string }): Promise<Payout[]> {
  const q = payoutsSql(where);
  const { rows } = await db.raw(`${q.sql} order by e.posted_on, e.id`, q.bindings);
  return rows.map((r: { claim_id: string; bank_id: string; entry_id: number; posted_on: string; amount: string }) => ({
    claimId: r.claim_id,
    bankId: r.bank_id,
    entryId: r.entry_id,
    postedOn: r.posted_on,
    amount: r.amount,
  }));
}
