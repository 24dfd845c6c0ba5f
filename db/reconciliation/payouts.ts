import type { Knex } from 'knex';
import type { Db } from '../ledger';
import type { Payout as PayoutToMatch } from '../../domain/reconciliation';

/**
 * The ledger side of a reconciliation: subsidy payouts to banks. A PAID subsidy claim points at its
 * payout entry (`subsidy_claims.payout_entry_id`); the subsidy workflow writes the claim's
 * `paid_on` and `total` in the same transaction as that entry, with the same date and amount.
 * Matching reads them from the claim rows (one scan, far cheaper than joining the ledger's lines;
 * docs/benchmarks.md); closing a quarter proves them equal to the ledger itself
 * (ledgerDisagreementsSql), so a claim row that ever drifted from its entry blocks the close. A
 * payout that has been reversed is not expected on any statement: reversals are few, so they are
 * hashed once and each claim probes them (NOT IN, not NOT EXISTS: with the latter the planner
 * hashed the million claims instead).
 *
 * The other programmes' payouts are the finance bureau's own: a paid training claim (referenced by
 * its id) and the two payments of a paid incubator reward (to the operator and to the enterprise,
 * each referenced by its payment reference), all paid from a fund of the bureau, whose id stands
 * in the `bank_id` column — their statement is the bureau's account's, imported under the bureau
 * (docs/reconciliation.md). They are never reversed, and their tables are small beside the claims.
 *
 * Returns SQL with `?` bindings, for use inside larger statements.
 */
export function payoutsSql(where: { bankId?: string; from: string; to: string }): { sql: string; bindings: Knex.RawBinding[] } {
  const bindings: Knex.RawBinding[] = [where.from, where.to];
  let bankFilter = '';
  let bureauFilter = '';
  if (where.bankId) {
    bankFilter = 'and c.bank_id = ?::uuid';
    bureauFilter = 'and f.finance_bureau_org_id = ?::uuid';
    bindings.push(where.bankId);
  }
  const programme = (ref: string, entry: string, amount: string, from: string) => {
    bindings.push(where.from, where.to);
    if (where.bankId) bindings.push(where.bankId);
    return `select p.${ref}, f.finance_bureau_org_id, p.${entry}, p.paid_on, p.${amount}
              from ${from} p join funds f on f.id = p.fund_id
             where p.${entry} is not null and p.paid_on between ?::date and ?::date ${bureauFilter}`;
  };
  return {
    sql: `select c.id as claim_id, c.bank_id, c.payout_entry_id as entry_id, c.paid_on as posted_on, c.total as amount
            from subsidy_claims c
           where c.payout_entry_id is not null and c.paid_on between ?::date and ?::date ${bankFilter}
             and c.payout_entry_id not in (select r.reverses_entry_id from ledger_entries r where r.reverses_entry_id is not null)
          union all ${programme('id', 'payout_entry_id', 'amount', 'training_claims')}
          union all ${programme('operator_payment_ref', 'operator_entry_id', 'amount_each', 'incubator_reward_claims')}
          union all ${programme('enterprise_payment_ref', 'enterprise_entry_id', 'amount_each', 'incubator_reward_claims')}`,
    bindings,
  };
}

/**
 * Paid claims of the period whose row disagrees with their payout entry in the ledger: another
 * date, another amount paid to the claim's bank, or an entry that is not a payout.
 */
export function ledgerDisagreementsSql(from: string, to: string): { sql: string; bindings: Knex.RawBinding[] } {
  return {
    sql: `select c.id as claim_id, c.bank_id, c.payout_entry_id as entry_id, c.paid_on, c.total, e.posted_on, e.kind, l.amount as paid
            from subsidy_claims c
            join ledger_entries e on e.id = c.payout_entry_id
            left join lateral (
              select sum(pl.amount) as amount from ledger_lines pl join ledger_accounts a on a.id = pl.account_id
               where pl.entry_id = e.id and pl.side = 'debit' and a.code = 'bank:' || c.bank_id::text || ':subsidy_payable') l on true
           where (c.paid_on between ?::date and ?::date or e.posted_on between ?::date and ?::date)
             and (e.posted_on is distinct from c.paid_on or l.amount is distinct from c.total or e.kind <> 'fund.payout')`,
    bindings: [from, to, from, to],
  };
}

/**
 * The same proof for the programmes' payouts (a paid training claim; each of a paid incubator
 * reward's two payments): the claim row's date and amount against its entry's, the entry being a
 * payment of that programme's expense. `path` names the claim as the API does.
 */
export function programmeLedgerDisagreementsSql(from: string, to: string): { sql: string; bindings: Knex.RawBinding[] } {
  return {
    sql: `select x.claim_id, x.path, x.entry_id, x.paid_on, x.amount, e.posted_on, e.kind, l.amount as paid
            from (select t.id as claim_id, 'training-claims' as path, t.payout_entry_id as entry_id, t.paid_on, t.amount,
                         'training_subsidy_expense' as expense, 'training.payout' as want_kind
                    from training_claims t where t.payout_entry_id is not null
                  union all
                  select r.id, 'incubator-rewards', r.operator_entry_id, r.paid_on, r.amount_each, 'incubator_reward_expense', 'incubator.reward'
                    from incubator_reward_claims r where r.operator_entry_id is not null
                  union all
                  select r.id, 'incubator-rewards', r.enterprise_entry_id, r.paid_on, r.amount_each, 'incubator_reward_expense', 'incubator.reward'
                    from incubator_reward_claims r where r.enterprise_entry_id is not null) x
            join ledger_entries e on e.id = x.entry_id
            left join lateral (
              select sum(pl.amount) as amount from ledger_lines pl join ledger_accounts a on a.id = pl.account_id
               where pl.entry_id = e.id and pl.side = 'debit' and a.code = 'program:' || x.expense) l on true
           where (x.paid_on between ?::date and ?::date or e.posted_on between ?::date and ?::date)
             and (e.posted_on is distinct from x.paid_on or l.amount is distinct from x.amount or e.kind <> x.want_kind)`,
    bindings: [from, to, from, to],
  };
}

/** A payout as matching sees it (domain/reconciliation.ts), with the bank it went to. */
export interface Payout extends PayoutToMatch {
  bankId: string;
}

export async function listPayouts(db: Db, where: { bankId?: string; from: string; to: string }): Promise<Payout[]> {
  const q = payoutsSql(where);
  const { rows } = await db.raw(`select * from (${q.sql}) p order by p.posted_on, p.entry_id`, q.bindings);
  return rows.map((r: { claim_id: string; bank_id: string; entry_id: number; posted_on: string; amount: string }) => ({
    claimId: r.claim_id,
    bankId: r.bank_id,
    entryId: r.entry_id,
    postedOn: r.posted_on,
    amount: r.amount,
  }));
}
