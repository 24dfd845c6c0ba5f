-- Numbers each accrual in the order accruals of its bank become visible, so that a claim can cover
-- "its bank's accruals of a quarter up to number N" (db/sql/subsidy/subsidy_claims_cover.sql): the
-- number is drawn under a shared lock of the bank that a filing takes exclusively, so no accrual
-- numbered below what a filing saw can still be uncommitted then, and none drawn after it can fall
-- into its range. Whatever number the writer gave is replaced. docs/ledger.md, "Subsidy claims".

create or replace function public.subsidy_accruals_sequence() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  perform pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtext('loanflow.subsidy_claim_filing'), pg_catalog.hashtext(new.bank_id::text));
  new.seq := pg_catalog.nextval('public.subsidy_accruals_seq'::regclass);
  return new;
end $$;

create or replace trigger subsidy_accruals_sequence before insert on public.subsidy_accruals for each row execute function public.subsidy_accruals_sequence();
