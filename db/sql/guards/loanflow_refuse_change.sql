-- Append-only tables: a decision, once recorded, stays as it was.

create or replace function public.loanflow_refuse_change() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  raise exception '% on % is not allowed: the table is append-only', tg_op, tg_table_name
    using errcode = 'insufficient_privilege';
end $$;

-- The tables it guards: append-only ones refuse UPDATE and DELETE; those and others refuse TRUNCATE.
do $$
declare t text;
begin
  foreach t in array array['accounting_period_events', 'application_history', 'audit_log', 'follow_up_visits', 'forecast_scenarios', 'integrity_events', 'loan_events', 'loan_repayments', 'policies', 'reconciliation_items', 'reconciliation_resolutions', 'statement_lines', 'subsidy_accruals'] loop
    execute format('create or replace trigger %I before update or delete on public.%I for each row execute function public.loanflow_refuse_change()', t || '_append_only', t);
  end loop;
  foreach t in array array['accounting_period_events', 'application_history', 'audit_log', 'finance_proposals', 'follow_up_visits', 'forecast_scenarios', 'policies', 'reconciliation_items', 'reconciliation_resolutions', 'reconciliations', 'statement_lines', 'users'] loop
    execute format('create or replace trigger %I before truncate on public.%I for each statement execute function public.loanflow_refuse_change()', t || '_no_truncate', t);
  end loop;
  -- Rows never deleted, though their own guards let some columns change: users (deactivate
  -- instead), claims and their lines, scheduled visits, incubated enterprises.
  foreach t in array array['follow_up_schedule', 'incubated_enterprises', 'incubator_reward_claims', 'subsidy_claims', 'training_claim_lines', 'training_claims', 'users'] loop
    execute format('create or replace trigger %I before delete on public.%I for each row execute function public.loanflow_refuse_change()', t || '_no_delete', t);
  end loop;
end $$;
