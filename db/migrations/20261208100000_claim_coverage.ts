import type { Knex } from 'knex';
import { baselineTable } from '../baseline';

/**
 * A subsidy claim no longer copies its lines (docs/ledger.md "Subsidy claims"): accruals are numbered
 * in the order they become visible (`seq`, given by db/sql/subsidy/subsidy_accruals_sequence.sql), and
 * a claim records the range of that numbering it covers, within its bank and quarter (`seqs`), with
 * its line count and total. Its lines are the accruals of its bank and quarter in that range, read
 * when asked for. "A period is claimed once" is an exclusion constraint among claims that are not
 * rejected; a rejection frees the range, a payment marks it paid, both by the claim's status.
 *
 * Existing accruals are numbered so that each claim's lines are consecutive within their bank and
 * quarter, and each claim gets the range of its lines.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create extension if not exists btree_gist;

    create sequence public.subsidy_accruals_seq as bigint;
    alter table public.subsidy_accruals add column seq bigint;
    alter table public.subsidy_accruals disable trigger user;
    with held as (
      select l.loan_id, l.period, min(c.created_at) as claimed_at
        from public.subsidy_claim_lines l join public.subsidy_claims c on c.id = l.claim_id
       where not l.voided
       group by l.loan_id, l.period),
    numbered as (
      select a.loan_id, a.period,
             row_number() over (order by a.bank_id, a.quarter, h.claimed_at nulls last, a.due_on, a.loan_id, a.period) as n
        from public.subsidy_accruals a left join held h on h.loan_id = a.loan_id and h.period = a.period)
    update public.subsidy_accruals a set seq = numbered.n from numbered where numbered.loan_id = a.loan_id and numbered.period = a.period;
    alter table public.subsidy_accruals enable trigger user;
    select setval('public.subsidy_accruals_seq', coalesce((select max(seq) from public.subsidy_accruals), 0) + 1, false);
    alter sequence public.subsidy_accruals_seq owned by public.subsidy_accruals.seq;
    alter table public.subsidy_accruals alter column seq set not null;
    alter table public.subsidy_accruals add constraint subsidy_accruals_seq_check check (seq > 0);

    alter table public.subsidy_claims add column seqs int8range, add column line_count integer;
    update public.subsidy_claims c
       set seqs = coalesce((select int8range(min(a.seq), max(a.seq), '[]')
                              from public.subsidy_claim_lines l join public.subsidy_accruals a on a.loan_id = l.loan_id and a.period = l.period
                             where l.claim_id = c.id), 'empty'),
           line_count = (select count(*) from public.subsidy_claim_lines l where l.claim_id = c.id);
    alter table public.subsidy_claims alter column seqs set not null, alter column line_count set not null;
    alter table public.subsidy_claims
      add constraint subsidy_claims_coverage_check check (line_count >= 0 and isempty(seqs) = (line_count = 0) and (isempty(seqs) or lower(seqs) > 0)),
      -- A period is claimed once: no two claims that are not rejected cover the same accrual.
      add constraint subsidy_claims_claimed_once exclude using gist (bank_id with =, quarter with =, seqs with &&) where (status <> 'REJECTED');

    drop table public.subsidy_claim_lines;

    -- A claim's lines in the order they are shown (and paged), found within its bank and quarter.
    drop index public.subsidy_accruals_bank_id_quarter_index;
    create index subsidy_accruals_bank_id_quarter_index on public.subsidy_accruals (bank_id, quarter, due_on, loan_id, period);
  `);
}

/** Brings back the claims' copied lines: the table as the baseline made it, filled from the ranges. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger if exists subsidy_accruals_sequence on public.subsidy_accruals;
    drop trigger if exists subsidy_claims_cover on public.subsidy_claims;
    drop trigger if exists subsidy_claims_guard on public.subsidy_claims;
    drop trigger if exists subsidy_claims_no_delete on public.subsidy_claims;
    drop function if exists public.subsidy_accruals_sequence();
    drop function if exists public.subsidy_claims_cover();
    drop function if exists public.subsidy_claims_guard();
    do $$ begin
      if to_regclass('public.loanflow_sql_files') is not null then
        delete from public.loanflow_sql_files where path in ('subsidy/subsidy_accruals_sequence.sql', 'subsidy/subsidy_claims_cover.sql', 'subsidy/subsidy_claims_guard.sql');
      end if;
    end $$;

    drop index public.subsidy_accruals_bank_id_quarter_index;
    create index subsidy_accruals_bank_id_quarter_index on public.subsidy_accruals (bank_id, quarter);

    ${baselineTable('subsidy_claim_lines')}
    insert into public.subsidy_claim_lines (claim_id, loan_id, period, amount, balance_at_start, balance_at_end, voided, paid)
    select c.id, a.loan_id, a.period, a.amount,
           l.principal - coalesce((select sum(r.principal_part) from public.loan_repayments r
                                    where r.loan_id = a.loan_id and r.paid_on < to_date(left(c.quarter, 4) || '-' || ((right(c.quarter, 1)::int - 1) * 3 + 1)::text || '-01', 'YYYY-MM-DD')), 0),
           l.principal - coalesce((select sum(r.principal_part) from public.loan_repayments r
                                    where r.loan_id = a.loan_id and r.paid_on < to_date(left(c.quarter, 4) || '-' || ((right(c.quarter, 1)::int - 1) * 3 + 1)::text || '-01', 'YYYY-MM-DD') + interval '3 months'), 0),
           c.status = 'REJECTED', c.status in ('PAID', 'PAYOUT_REVERSED')
      from public.subsidy_claims c
      join public.subsidy_accruals a on a.bank_id = c.bank_id and a.quarter = c.quarter and c.seqs @> a.seq
      join public.loans l on l.id = a.loan_id;

    alter table public.subsidy_claims drop constraint subsidy_claims_claimed_once, drop constraint subsidy_claims_coverage_check;
    alter table public.subsidy_claims drop column seqs, drop column line_count;
    alter table public.subsidy_accruals drop column seq;
    drop extension if exists btree_gist;
  `);
}
