-- An application is inserted SUBMITTED, with nothing a later step writes (its intake,
-- usecases/application-steps.ts): one inserted further on would have skipped the steps that decide it.
-- How it may change afterwards: applications_guard.sql. docs/security.md.

create or replace function public.applications_inserted() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  -- What only a later step writes.
  c_later constant text[] := array['counter_guarantee_type', 'recommended_amount', 'reviewed_by', 'approved_amount', 'loan_id',
                                   'end_reason', 'step_deadline_at'];
  changed text := public.loanflow_set_columns(pg_catalog.to_jsonb(new), c_later);
begin
  if new.status is distinct from 'SUBMITTED' or changed is not null then
    raise exception 'applications %: %: an application is inserted SUBMITTED, with nothing a later step writes',
      new.id, coalesce(changed, 'status') using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger applications_inserted before insert on public.applications
  for each row execute function public.applications_inserted();
