import type { Knex } from 'knex';

/**
 * A subsidy claim whose payout a reconciliation reversed (the bank never received it, or not as
 * paid) is no longer PAID: it is PAYOUT_REVERSED — still approved, its amount back in the fund's
 * `reserved` account by the reversal itself — until the finance approver pays it again. It keeps
 * the reversed payout's entry and date until then.
 */
const WITH = `alter table subsidy_claims add constraint subsidy_claims_check check (
    quarter ~ '^[0-9]{4}Q[1-4]$' and total > 0
    and status in ('SUBMITTED','CHECKED','PENDING_BUDGET','PAID','PAYOUT_REVERSED','REJECTED')
    and (status <> 'REJECTED' or rejection_reason is not null)
    and (status not in ('PAID','PAYOUT_REVERSED') or (payout_entry_id is not null and paid_on is not null))
    and (status <> 'PAYOUT_REVERSED' or fund_id is not null)
    and (approved_by is null or approved_by is distinct from checked_by))`;

const WITHOUT = `alter table subsidy_claims add constraint subsidy_claims_check check (
    quarter ~ '^[0-9]{4}Q[1-4]$' and total > 0
    and status in ('SUBMITTED','CHECKED','PENDING_BUDGET','PAID','REJECTED')
    and (status <> 'REJECTED' or rejection_reason is not null)
    and (status <> 'PAID' or (payout_entry_id is not null and paid_on is not null))
    and (approved_by is null or approved_by is distinct from checked_by))`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table subsidy_claims drop constraint subsidy_claims_check');
  await knex.raw(WITH);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`update subsidy_claims set status = 'PAID' where status = 'PAYOUT_REVERSED'`);
  await knex.raw('alter table subsidy_claims drop constraint subsidy_claims_check');
  await knex.raw(WITHOUT);
}
