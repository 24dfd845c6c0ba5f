-- What a filed claim covers, decided here and nowhere else. A claim filed SUBMITTED without a total
-- covers its bank's accruals of the quarter that no claim still standing (not rejected) covers,
-- numbered up to the last one visible now, and gets their count and total (NUMERIC); the bank's
-- accruals wait meanwhile (the lock subsidy_accruals_sequence shares), so none can join the range
-- later, and nothing to cover refuses the claim (P0002; its detail names the claim holding the
-- quarter, if any). A claim is inserted only so, as filed: one written in another state, with its
-- total, or with any decision's column set would reach the approver without a check of what it
-- covers, and is refused; so is a writer that names a coverage or a count.
-- docs/ledger.md, "Subsidy claims".

create or replace function public.subsidy_claims_cover() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  from_seq bigint;
  n integer;
  s numeric(18,2);
  last_seq bigint;
  holder uuid;
begin
  if (new.seqs is not null and not isempty(new.seqs)) or coalesce(new.line_count, 0) <> 0 then
    raise exception 'subsidy_claims: what a claim covers is the database''s to decide, as it is filed'
      using errcode = 'check_violation';
  end if;
  if new.status is distinct from 'SUBMITTED' or new.total is not null
     or pg_catalog.num_nonnulls(new.checked_by, new.checked_at, new.check_reason, new.approved_by, new.approved_at, new.approval_reason,
                                new.rejected_by, new.rejected_at, new.rejection_reason, new.fund_id, new.paid_on, new.payout_entry_id) > 0 then
    raise exception 'subsidy_claims: a claim is inserted as filed (SUBMITTED, its total the database''s to decide, nothing decided)'
      using errcode = 'insufficient_privilege';
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('loanflow.subsidy_claim_filing'), pg_catalog.hashtext(new.bank_id::text));
  select coalesce(max(upper(c.seqs)), 1) into from_seq
    from public.subsidy_claims c
   where c.bank_id = new.bank_id and c.quarter = new.quarter and c.status <> 'REJECTED' and not isempty(c.seqs);
  select count(*), sum(a.amount), max(a.seq) into n, s, last_seq
    from public.subsidy_accruals a
   where a.bank_id = new.bank_id and a.quarter = new.quarter and a.seq >= from_seq;
  if n = 0 then
    select c.id into holder from public.subsidy_claims c
     where c.bank_id = new.bank_id and c.quarter = new.quarter and c.status <> 'REJECTED'
     order by c.created_at desc limit 1;
    raise exception using errcode = 'no_data_found',
      message = case when holder is null then 'subsidy_claims: no on-time period of this bank was due in ' || new.quarter
                     else 'subsidy_claims: every on-time period of ' || new.quarter || ' is claimed already' end,
      detail = coalesce(holder::text, '');
  end if;
  new.seqs := int8range(from_seq, last_seq, '[]');
  new.line_count := n;
  new.total := s;
  return new;
end $$;

create or replace trigger subsidy_claims_cover before insert on public.subsidy_claims for each row execute function public.subsidy_claims_cover();
