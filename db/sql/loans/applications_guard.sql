-- An application (docs/domain.md §1) keeps what was applied for: the applicant, their ID number,
-- name and details, the certificate, community, guarantee company, requested amount and terms, the
-- policy version and the submission day never change. Its status only moves forward, along the
-- steps of its workflow (workflows/application/state.ts), and a final status (REPAID, REJECTED,
-- WITHDRAWN, EXPIRED, DEFAULTED) changes no more; nor does anything else of a final application.
-- What a step decides is written as that step moves the status on, and then stands: the
-- counter-guarantee type as the counter-guarantee step is left, the recommendation and its reviewer
-- as the review is left (an amount within what was applied for and the policy's guarantee band, a
-- guarantee reviewer of the application's company), the approved amount as the approval is left
-- (within the same bounds), the loan and its bank as the disbursal hands the application over (to
-- its own loan, of the bank it was assigned to), the end reason as it ends; a repaying application
-- ends REPAID or DEFAULTED only once its loan has. How an application is inserted:
-- applications_inserted.sql. Applications are never deleted (loanflow_refuse_change).
-- docs/security.md.

create or replace function public.applications_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  -- What the steps write; every other column is the application as submitted.
  c_steps constant text[] := array['status', 'counter_guarantee_type', 'recommended_amount', 'reviewed_by', 'approved_amount',
                                   'bank_id', 'loan_id', 'end_reason', 'step_deadline_at', 'updated_at'];
  c_final constant text[] := array['REPAID', 'REJECTED', 'WITHDRAWN', 'EXPIRED', 'DEFAULTED'];
  n jsonb := pg_catalog.to_jsonb(new);
  o jsonb := pg_catalog.to_jsonb(old);
  changed text;
  moved boolean;
begin
  perform public.loanflow_refuse_changed(n, o, c_steps, pg_catalog.format('applications %s: {columns} never changes: it is what was applied for', old.id));
  if old.status = any (c_final) then
    perform public.loanflow_refuse_changed(n, o, array['updated_at'], pg_catalog.format('applications %s: {columns}: a %s application changes no more', old.id, old.status));
    return new;
  end if;

  moved := new.status is distinct from old.status;
  if moved and (old.status, new.status) not in (
       ('SUBMITTED', 'AWAITING_COUNTER_GUARANTEE'), ('SUBMITTED', 'REJECTED'),
       ('AWAITING_COUNTER_GUARANTEE', 'AWAITING_GUARANTEE_REVIEW'), ('AWAITING_COUNTER_GUARANTEE', 'REJECTED'),
       ('AWAITING_COUNTER_GUARANTEE', 'WITHDRAWN'), ('AWAITING_COUNTER_GUARANTEE', 'EXPIRED'),
       ('AWAITING_GUARANTEE_REVIEW', 'AWAITING_GUARANTEE_APPROVAL'), ('AWAITING_GUARANTEE_REVIEW', 'REJECTED'),
       ('AWAITING_GUARANTEE_REVIEW', 'WITHDRAWN'), ('AWAITING_GUARANTEE_REVIEW', 'EXPIRED'),
       ('AWAITING_GUARANTEE_APPROVAL', 'AWAITING_DISBURSAL'), ('AWAITING_GUARANTEE_APPROVAL', 'REJECTED'),
       ('AWAITING_GUARANTEE_APPROVAL', 'WITHDRAWN'), ('AWAITING_GUARANTEE_APPROVAL', 'EXPIRED'),
       ('AWAITING_DISBURSAL', 'REPAYING'), ('AWAITING_DISBURSAL', 'WITHDRAWN'), ('AWAITING_DISBURSAL', 'EXPIRED'),
       ('REPAYING', 'REPAID'), ('REPAYING', 'DEFAULTED')) then
    raise exception 'applications %: status: an application does not move from % to %', old.id, old.status, new.status
      using errcode = 'insufficient_privilege';
  end if;
  -- A repaying application ends as its loan did, after it: intake counts a person's active loans
  -- from REPAYING applications.
  if moved and old.status = 'REPAYING'
     and not exists (select 1 from public.loans l where l.id = old.loan_id and l.application_id = old.id and l.status = new.status) then
    raise exception 'applications %: status: a repaying application becomes % only once its loan has', old.id, new.status
      using errcode = 'insufficient_privilege';
  end if;

  changed := concat_ws(', ',
    case when new.counter_guarantee_type is distinct from old.counter_guarantee_type
          and not (moved and old.status = 'AWAITING_COUNTER_GUARANTEE') then 'counter_guarantee_type' end,
    case when new.recommended_amount is distinct from old.recommended_amount
          and not (moved and old.status = 'AWAITING_GUARANTEE_REVIEW') then 'recommended_amount' end,
    case when new.reviewed_by is distinct from old.reviewed_by
          and not (moved and old.status = 'AWAITING_GUARANTEE_REVIEW') then 'reviewed_by' end,
    case when new.approved_amount is distinct from old.approved_amount
          and not (moved and old.status = 'AWAITING_GUARANTEE_APPROVAL') then 'approved_amount' end,
    case when new.end_reason is distinct from old.end_reason and not (moved and new.status = any (c_final)) then 'end_reason' end,
    case when new.step_deadline_at is distinct from old.step_deadline_at and not moved then 'step_deadline_at' end);
  if changed <> '' then
    raise exception 'applications %: % is written only by the step that decides it, as it moves the application on', old.id, changed
      using errcode = 'insufficient_privilege';
  end if;

  -- What the guarantee steps decide, as their validators allow it (workflows/application/state.ts):
  -- an amount within what was applied for and the policy's guarantee band, a review by a guarantee
  -- reviewer of the application's company. The approver may approve another amount than the one
  -- recommended, so the approval is not bound by the recommendation.
  changed := concat_ws(', ',
    case when new.recommended_amount is distinct from old.recommended_amount and new.recommended_amount is not null
          and not public.applications_amount_fits(new.recommended_amount, new.requested_amount, new.policy_id) then 'recommended_amount' end,
    case when new.approved_amount is distinct from old.approved_amount and new.approved_amount is not null
          and not public.applications_amount_fits(new.approved_amount, new.requested_amount, new.policy_id) then 'approved_amount' end,
    case when new.reviewed_by is distinct from old.reviewed_by and new.reviewed_by is not null
          and not exists (select 1 from public.users u where u.id = new.reviewed_by and u.role = 'guarantee_reviewer' and u.org_id = new.guarantee_company_id)
         then 'reviewed_by' end);
  if changed <> '' then
    raise exception 'applications %: %: a guarantee is recommended and approved within the amount applied for and the policy''s band, reviewed by a guarantee reviewer of its company',
      old.id, changed using errcode = 'insufficient_privilege';
  end if;

  if (new.loan_id, new.bank_id) is distinct from (old.loan_id, old.bank_id) and not (
       moved and new.status = 'REPAYING' and old.loan_id is null and (old.bank_id is null or new.bank_id = old.bank_id)
       and exists (select 1 from public.loans l where l.id = new.loan_id and l.application_id = new.id and l.bank_id = new.bank_id)) then
    raise exception 'applications %: %: an application gets its loan, and its bank, only as that bank''s loan for it is disbursed', old.id,
      concat_ws(', ', case when new.loan_id is distinct from old.loan_id then 'loan_id' end, case when new.bank_id is distinct from old.bank_id then 'bank_id' end)
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger applications_guard before update on public.applications
  for each row execute function public.applications_guard();
