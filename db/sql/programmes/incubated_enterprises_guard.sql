-- An incubated enterprise's reward windows count from its entry and graduation dates
-- (docs/programmes.md "Incubator rewards"): it keeps its incubator, credit code and entry date; its
-- graduation date goes from none to a date once, and neither date is after today's business date
-- (China Standard Time, as period_close), for a date recorded once could never be set right. An
-- enterprise is never deleted (reward claims and the audit trail name it).

create or replace function public.incubated_enterprises_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  v_today date := (now() at time zone 'UTC' + interval '8 hours')::date;
begin
  if tg_op = 'UPDATE' then
    if new.incubator_id is distinct from old.incubator_id or new.credit_code is distinct from old.credit_code
       or new.entered_on is distinct from old.entered_on or new.registered_by is distinct from old.registered_by
       or new.created_at is distinct from old.created_at
       or (old.graduated_on is not null and new.graduated_on is distinct from old.graduated_on) then
      raise exception 'incubated_enterprises %: its incubator, credit code and entry date stay; a graduation is recorded once', old.id
        using errcode = 'insufficient_privilege';
    end if;
    if new.graduated_on is not distinct from old.graduated_on then
      return new;
    end if;
  elsif new.entered_on > v_today then
    raise exception 'incubated_enterprises: an entry date after today (%)', v_today using errcode = 'check_violation';
  end if;
  if new.graduated_on > v_today then
    raise exception 'incubated_enterprises: a graduation date after today (%)', v_today using errcode = 'check_violation';
  end if;
  return new;
end $$;

create or replace trigger incubated_enterprises_guard before insert or update on public.incubated_enterprises
  for each row execute function public.incubated_enterprises_guard();
