-- An idempotency key is stored before its request runs; its reply, once stored, is final; only the
-- lease or the reply is ever written.

create or replace function public.idempotency_keys_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    if new.status_code is not null or new.response is not null or new.completed_at is not null then
      raise exception 'idempotency_keys: a key is stored before its request runs, without a reply' using errcode = 'check_violation';
    end if;
    return new;
  end if;
  if old.status_code is not null then
    raise exception 'idempotency_keys: the reply stored for key % is final', old.key using errcode = 'insufficient_privilege';
  end if;
  if (new.user_id, new.key, new.method, new.path, new.request_hash, new.created_at, new.expires_at)
     is distinct from (old.user_id, old.key, old.method, old.path, old.request_hash, old.created_at, old.expires_at) then
    raise exception 'idempotency_keys: only the lease or the reply of a key is written' using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create or replace trigger idempotency_keys_guard before insert or update on public.idempotency_keys for each row execute function public.idempotency_keys_guard();
