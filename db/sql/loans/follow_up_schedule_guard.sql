-- A scheduled follow-up visit (docs/programmes.md) keeps its loan, months and dates: it is inserted
-- with neither a reminder nor an overdue mark, which the workflow writes later, each once (a row
-- inserted with one would stand for a mark never made, and keep the real one from being written).
-- It is never deleted.

create or replace function public.follow_up_schedule_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    if new.reminded_at is not null or new.overdue_marked_at is not null then
      raise exception 'a scheduled follow-up visit is inserted neither reminded nor marked overdue' using errcode = 'insufficient_privilege';
    end if;
    return new;
  end if;
  if new.loan_id is distinct from old.loan_id or new.months is distinct from old.months
     or new.due_on is distinct from old.due_on or new.overdue_on is distinct from old.overdue_on
     or (old.reminded_at is not null and new.reminded_at is distinct from old.reminded_at)
     or (old.overdue_marked_at is not null and new.overdue_marked_at is distinct from old.overdue_marked_at) then
    raise exception 'a scheduled follow-up visit keeps its dates, reminder and overdue mark' using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger follow_up_schedule_guard before insert or update on public.follow_up_schedule
  for each row execute function public.follow_up_schedule_guard();
