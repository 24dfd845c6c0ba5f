-- A proposal as its decision sees it: locked, of the kind asked for, still pending, and decided by
-- another person than the one who proposed it (maker-checker). The one place these rules are
-- checked for every kind of finance proposal; owner-only like finance_approver.

create or replace function public.finance_proposal_to_decide(p_proposal uuid, p_kind text, p_label text, p_decider uuid) returns public.finance_proposals
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  p public.finance_proposals;
begin
  select x.* into p from public.finance_proposals x where x.id = p_proposal and x.kind = p_kind for update;
  if not found then
    raise exception '% % does not exist', p_label, p_proposal using errcode = 'no_data_found';
  end if;
  if p.status <> 'pending' then
    raise exception 'this % was % already', p_label, p.status using errcode = 'object_not_in_prerequisite_state';
  end if;
  if p_decider = p.proposed_by then
    raise exception 'the approver must be another person than the one who proposed the % (maker-checker)', p_label
      using errcode = 'insufficient_privilege';
  end if;
  return p;
end $$;
