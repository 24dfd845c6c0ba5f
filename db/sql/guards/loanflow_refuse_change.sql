-- Append-only tables: a decision, once recorded, stays as it was. Other tables keep their rows
-- (no DELETE, no TRUNCATE) while their own guards let some columns change.

create or replace function public.loanflow_refuse_change() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  -- The trigger's argument says why, where the table is not append-only.
  raise exception '% on % is not allowed: %', tg_op, tg_table_name, coalesce(tg_argv[0], 'the table is append-only')
    using errcode = 'insufficient_privilege';
end $$;

-- The tables it guards: append-only ones refuse UPDATE and DELETE; those and others refuse TRUNCATE.
do $$
declare
  t text;
  append_only constant text[] := array['accounting_period_events', 'application_history', 'audit_log', 'follow_up_visits', 'forecast_scenarios', 'integrity_events', 'loan_events', 'loan_repayments', 'policies', 'reconciliation_items', 'reconciliation_resolutions', 'statement_lines', 'subsidy_accruals'];
begin
  foreach t in array append_only loop
    execute format('create or replace trigger %I before update or delete on public.%I for each row execute function public.loanflow_refuse_change()', t || '_append_only', t);
  end loop;
  foreach t in array array['accounting_period_events', 'application_history', 'applications', 'audit_log', 'certificates', 'finance_proposals', 'follow_up_visits', 'forecast_scenarios', 'loan_periods', 'loans', 'organisations', 'policies', 'reconciliation_items', 'reconciliation_resolutions', 'reconciliations', 'statement_lines', 'users'] loop
    execute format('create or replace trigger %I before truncate on public.%I for each statement execute function public.loanflow_refuse_change(%L)', t || '_no_truncate', t,
                   case when t = any (append_only) then 'the table is append-only' else 'its rows are never removed' end);
  end loop;
  -- Rows never deleted, though their own guards let some columns change: users (deactivate
  -- instead), claims and their lines, scheduled visits, incubated enterprises, the organisations,
  -- certificates, applications and loans the ledger and the history refer to (a loan's periods:
  -- loan_periods_guard).
  foreach t in array array['applications', 'certificates', 'follow_up_schedule', 'incubated_enterprises', 'incubator_reward_claims', 'loans', 'organisations', 'subsidy_claims', 'training_claim_lines', 'training_claims', 'users'] loop
    execute format('create or replace trigger %I before delete on public.%I for each row execute function public.loanflow_refuse_change(%L)', t || '_no_delete', t, 'its rows are never removed');
  end loop;
end $$;
