-- A loan keeps its contract: its application, bank, borrower, contract number, principal, annual
-- rate, disbursal date, term, repayment method, bank reference and policy version never change
-- (the subsidy the fund pays is computed from them). What its servicing writes changes only as
-- that step does (usecases/loan-steps.ts): the disbursal's guarantee company, workflow, maturity
-- and outstanding principal (the principal) are written once, right after the insert; the
-- outstanding principal then only falls; one extension sets extended_months from 0, and the
-- maturity with it; REPAYING ends once, REPAID (nothing outstanding) or DEFAULTED, with its end
-- (and a default's loss and compensation) written as it ends, and then nothing changes but the
-- recoveries of a defaulted loan, which only grow. A loan is inserted by its application's disbursal: REPAYING,
-- nothing of its servicing yet, for an application AWAITING_DISBURSAL, with that application's
-- borrower, policy, term and method, at most its approved amount and under its policy's rate cap.
-- Loans are never deleted (loanflow_refuse_change). docs/security.md.

create or replace function public.loans_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  -- What the servicing writes; every other column is the contract.
  c_servicing constant text[] := array['status', 'guarantee_company_id', 'workflow_id', 'extended_months', 'maturity_on', 'outstanding_principal',
                                       'ended_on', 'end_reason', 'defaulted_on', 'loss_principal', 'loss_interest', 'compensated_by_fund',
                                       'borne_by_bank', 'compensated_by_company', 'recovered', 'updated_at'];
  -- What its end writes: the day and why, and a default's loss and who bears it.
  c_end constant text[] := array['ended_on', 'end_reason', 'defaulted_on', 'loss_principal', 'loss_interest', 'compensated_by_fund',
                                 'borne_by_bank', 'compensated_by_company'];
  n jsonb := pg_catalog.to_jsonb(new);
  o jsonb;
  changed text;
  moved boolean;
begin
  if tg_op = 'INSERT' then
    changed := concat_ws(', ', public.loanflow_set_columns(n, c_end),
      case when new.status is distinct from 'REPAYING' then 'status' end,
      case when new.extended_months is distinct from 0 then 'extended_months' end,
      case when new.recovered is distinct from 0 then 'recovered' end,
      case when new.outstanding_principal is distinct from new.principal and new.outstanding_principal is not null then 'outstanding_principal' end);
    if changed <> '' then
      raise exception 'loans %: %: a loan is inserted REPAYING, with nothing of its servicing yet', new.id, changed
        using errcode = 'insufficient_privilege';
    end if;
    if not exists (
         select 1 from public.applications a join public.policies p on p.id = a.policy_id
          where a.id = new.application_id and a.status = 'AWAITING_DISBURSAL'
            and a.id_number = new.borrower_id_number and a.policy_id = new.policy_id
            and a.term_months = new.term_months and a.repayment_method = new.repayment_method
            and (a.bank_id is null or a.bank_id = new.bank_id)
            and (new.guarantee_company_id is null or new.guarantee_company_id = a.guarantee_company_id)
            and new.principal <= a.approved_amount
            and new.annual_rate <= (p.params ->> 'rateCap')::numeric) then
      raise exception 'loans %: application_id: a loan is inserted only as its application''s disbursal, on the terms it was approved for', new.id
        using errcode = 'insufficient_privilege';
    end if;
    return new;
  end if;

  o := pg_catalog.to_jsonb(old);
  perform public.loanflow_refuse_changed(n, o, c_servicing, pg_catalog.format('loans %s: {columns} never changes: it is the loan''s contract', old.id));
  if old.status <> 'REPAYING' then
    perform public.loanflow_refuse_changed(n, o, case when old.status = 'DEFAULTED' then array['recovered', 'updated_at'] else array['updated_at'] end,
      pg_catalog.format('loans %s: {columns}: a %s loan changes no more%s', old.id, old.status, case when old.status = 'DEFAULTED' then ' (but for what is recovered)' else '' end));
    if new.recovered < old.recovered then
      raise exception 'loans %: recovered: what was recovered only grows', old.id using errcode = 'insufficient_privilege';
    end if;
    return new;
  end if;

  moved := new.status is distinct from old.status;
  if moved and new.status not in ('REPAID', 'DEFAULTED') then
    raise exception 'loans %: status: a loan does not move from % to %', old.id, old.status, new.status using errcode = 'insufficient_privilege';
  end if;
  if new.status = 'REPAID' and new.outstanding_principal is distinct from 0 then
    raise exception 'loans %: status, outstanding_principal: a loan is repaid only with no principal outstanding', old.id
      using errcode = 'insufficient_privilege';
  end if;
  changed := concat_ws(', ',
    case when moved then null else public.loanflow_changed_columns(n, o, array(select c from unnest(c_servicing) c where c <> all (c_end))) end,
    case when new.status = 'REPAID' then public.loanflow_set_columns(n, c_end[3:8]) end,
    case when new.recovered is distinct from old.recovered then 'recovered' end);
  if changed <> '' then
    raise exception 'loans %: % is written only as the loan ends (and a repaid one has no default)', old.id, changed
      using errcode = 'insufficient_privilege';
  end if;
  changed := concat_ws(', ',
    case when new.guarantee_company_id is distinct from old.guarantee_company_id and (old.guarantee_company_id is not null
          or not exists (select 1 from public.applications a where a.id = new.application_id and a.guarantee_company_id = new.guarantee_company_id))
         then 'guarantee_company_id' end,
    case when new.workflow_id is distinct from old.workflow_id and old.workflow_id is not null then 'workflow_id' end,
    case when new.extended_months is distinct from old.extended_months and (old.extended_months <> 0 or moved) then 'extended_months' end,
    case when new.maturity_on is distinct from old.maturity_on and old.maturity_on is not null
          and new.extended_months is not distinct from old.extended_months then 'maturity_on' end,
    case when new.outstanding_principal is distinct from old.outstanding_principal
          and (new.outstanding_principal is null or new.outstanding_principal > coalesce(old.outstanding_principal, new.principal)) then 'outstanding_principal' end);
  if changed <> '' then
    raise exception 'loans %: % is written once by the disbursal, then only by the step that changes it (the outstanding principal only falls; one extension)',
      old.id, changed using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger loans_guard before insert or update on public.loans
  for each row execute function public.loans_guard();
