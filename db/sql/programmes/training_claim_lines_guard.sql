-- A training claim's line keeps its trainee, certificate, course, part, dates and amount. Its live
-- flag, which the unique key training_claim_lines_once reads, only goes from true to false, and
-- only when the application can show why in the same transaction: its claim is REFUSED or REJECTED
-- (the claim's status is guarded by programme_claim_status_guard: a paid claim never becomes
-- either), or its claim is still FILED and the line does not match the registry (the officer's
-- adjustment drops it). The registry's verdict (mismatch) is written only while the claim is FILED.
-- So the lines of a checked, waiting or paid claim never change, and no line is deleted (how a line
-- is inserted: training_claim_lines_inserted.sql).

create or replace function public.training_claim_lines_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  v_status text;
begin
  if (pg_catalog.to_jsonb(new) - 'live' - 'mismatch') is distinct from (pg_catalog.to_jsonb(old) - 'live' - 'mismatch') then
    raise exception 'training_claim_lines: a line keeps its trainee, certificate and amount' using errcode = 'insufficient_privilege';
  end if;
  if new.live is not distinct from old.live and new.mismatch is not distinct from old.mismatch then
    return new;
  end if;
  select c.status into v_status from public.training_claims c where c.id = old.claim_id;
  if new.mismatch is distinct from old.mismatch and (v_status is distinct from 'FILED' or not old.live) then
    raise exception 'training_claim_lines: a line''s match with the registry is written while its live claim is filed' using errcode = 'insufficient_privilege';
  end if;
  if new.live is not distinct from old.live
     or (old.live and not new.live
         and (v_status in ('REFUSED', 'REJECTED') or (v_status = 'FILED' and new.mismatch is not null))) then
    return new;
  end if;
  raise exception 'training_claim_lines: a line is dropped only from a filed claim it does not match, or as its claim is refused or rejected (claim %)', v_status
    using errcode = 'insufficient_privilege';
end $$;

create or replace trigger training_claim_lines_guard before update on public.training_claim_lines
  for each row execute function public.training_claim_lines_guard();
