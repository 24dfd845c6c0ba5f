-- Frees a key whose request got no reply to keep (bad input, which wrote nothing) or whose time is
-- up: it deletes the key only while it is pending or expired, never a stored reply that still
-- counts. The application's role may not delete keys itself (idempotency_keys_direct_delete), so it
-- cannot delete a replied key, insert it again and store a forged reply. True when it deleted one.

create or replace function public.idempotency_key_release(p_user uuid, p_key text) returns boolean
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  n integer;
begin
  perform pg_catalog.set_config('loanflow.key_writer', 'on', true);
  delete from public.idempotency_keys k
   where k.user_id = p_user and k.key = p_key and (k.status_code is null or k.expires_at < pg_catalog.now());
  get diagnostics n = row_count;
  perform pg_catalog.set_config('loanflow.key_writer', '', true);
  return n > 0;
end $$;
