-- A programme claim's status only moves forward (docs/programmes.md): FILED to CHECKED or REFUSED,
-- CHECKED to PENDING_BUDGET, PAID or REJECTED, PENDING_BUDGET to PAID or REJECTED. PAID, REFUSED
-- and REJECTED are final: such a row changes no more. The unique keys that hold a trainee and an
-- event to one payment read the status (and a line's live flag, training_claim_lines_guard), so a
-- paid claim made REFUSED or REJECTED would free them to be paid again. A training claim's amount
-- changes only while it is FILED (the officer's adjustment). What was filed (the institution, class
-- and enrolment; the enterprise, incubator, event, evidence and amount of a reward; the policy, the
-- filer, the payment references) never changes: the checker vouched for it and the approver pays it.
-- A claim is inserted as filed: FILED, with none of what the decisions write, so no row skips the
-- check and the approval by being inserted past them. Every move is someone's decision: CHECKED and
-- REFUSED name the checker, PENDING_BUDGET and PAID the checker and the approver, REJECTED the
-- approver; PAID only with payouts made for this claim (their claimId and kind), each of its amount
-- from its fund's reserve to the programme's expense, a reward's two payees by two entries. Claims
-- are never deleted.

create or replace function public.programme_claim_status_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  -- The columns the decisions write; every other column is the filing's.
  c_decided constant text[] := array['status', 'amount', 'checked_by', 'check_decision', 'check_reason', 'decided_by', 'decision_reason',
                                     'fund_id', 'paid_on', 'payout_entry_id', 'operator_entry_id', 'enterprise_entry_id', 'updated_at'];
  -- The rows as JSON, made once: the rules below read both tables' columns by name.
  n jsonb := pg_catalog.to_jsonb(new);
  o jsonb := pg_catalog.to_jsonb(old);
begin
  if tg_op = 'INSERT' then
    if new.status is distinct from 'FILED' or exists (
         select 1 from pg_catalog.jsonb_each(n) c
          where c.key = any (c_decided) and c.key not in ('status', 'amount', 'updated_at') and c.value <> 'null'::jsonb) then
      raise exception '% %: a claim is inserted as filed, neither checked, decided nor paid', tg_table_name, new.id using errcode = 'insufficient_privilege';
    end if;
    return new;
  end if;
  if (n - c_decided) is distinct from (o - c_decided) then
    raise exception '% %: what was filed does not change', tg_table_name, old.id using errcode = 'insufficient_privilege';
  end if;
  if old.status in ('PAID', 'REFUSED', 'REJECTED')
     and (n - 'updated_at') is distinct from (o - 'updated_at') then
    raise exception '% %: a % claim does not change', tg_table_name, old.id, old.status using errcode = 'insufficient_privilege';
  end if;
  if new.status is distinct from old.status and not (
       (old.status = 'FILED' and new.status in ('CHECKED', 'REFUSED'))
    or (old.status = 'CHECKED' and new.status in ('PENDING_BUDGET', 'PAID', 'REJECTED'))
    or (old.status = 'PENDING_BUDGET' and new.status in ('PAID', 'REJECTED'))) then
    raise exception '% %: a claim does not move from % to %', tg_table_name, old.id, old.status, new.status using errcode = 'insufficient_privilege';
  end if;
  if new.status is distinct from old.status and (
       (new.status in ('CHECKED', 'REFUSED', 'PENDING_BUDGET', 'PAID') and n ->> 'checked_by' is null)
    or (new.status in ('PENDING_BUDGET', 'PAID', 'REJECTED') and n ->> 'decided_by' is null)) then
    raise exception '% %: a claim becomes % only as someone decides it', tg_table_name, old.id, new.status using errcode = 'insufficient_privilege';
  end if;
  if new.status = 'PAID' and old.status is distinct from 'PAID' then
    if (n ->> 'operator_entry_id') = (n ->> 'enterprise_entry_id') then
      raise exception '% %: the operator and the enterprise are each paid by a payout of their own', tg_table_name, old.id using errcode = 'insufficient_privilege';
    end if;
    -- Each payout is one the approval posts (programme-claim-steps): of the programme's kind, for
    -- this claim and payee, moving the claim's amount from the claim's fund's reserve to the
    -- programme's expense.
    if exists (
         select 1
           from (values (n ->> 'payout_entry_id', null, 'training.payout', 'program:training_subsidy_expense', n ->> 'amount'),
                        (n ->> 'operator_entry_id', 'operator', 'incubator.reward', 'program:incubator_reward_expense', n ->> 'amount_each'),
                        (n ->> 'enterprise_entry_id', 'enterprise', 'incubator.reward', 'program:incubator_reward_expense', n ->> 'amount_each'))
                as v(entry, payee, kind, expense, amount)
          where v.entry is not null and not exists (
            select 1 from public.ledger_entries e
             where e.id = v.entry::bigint and e.kind = v.kind and e.metadata ->> 'claimId' = new.id::text
               and (v.payee is null or e.metadata ->> 'payee' = v.payee)
               and exists (select 1 from public.ledger_lines l join public.ledger_accounts a on a.id = l.account_id
                            where l.entry_id = e.id and l.side = 'debit' and a.code = v.expense and l.amount = v.amount::numeric)
               and exists (select 1 from public.ledger_lines l join public.ledger_accounts a on a.id = l.account_id
                            where l.entry_id = e.id and l.side = 'credit' and a.code = 'fund:' || (n ->> 'fund_id') || ':reserved'
                              and l.amount = v.amount::numeric))) then
      raise exception '% %: a claim is paid only by payouts made for it: its amount, from its fund, to each payee', tg_table_name, old.id using errcode = 'insufficient_privilege';
    end if;
  end if;
  if tg_table_name = 'training_claims' and old.status <> 'FILED'
     and (n -> 'amount') is distinct from (o -> 'amount') then
    raise exception '% %: a training claim''s amount changes only while it is filed', tg_table_name, old.id using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger training_claims_status_guard before insert or update on public.training_claims
  for each row execute function public.programme_claim_status_guard();
create or replace trigger incubator_reward_claims_status_guard before insert or update on public.incubator_reward_claims
  for each row execute function public.programme_claim_status_guard();
