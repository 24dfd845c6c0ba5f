-- Deletes the keys whose time is up, with their stored replies (the housekeeping schedule runs it
-- hourly). The only bulk delete of keys: the application's role may not delete them itself.

create or replace function public.idempotency_keys_purge() returns integer
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  n integer;
begin
  perform pg_catalog.set_config('loanflow.key_writer', 'on', true);
  delete from public.idempotency_keys k where k.expires_at < pg_catalog.now();
  get diagnostics n = row_count;
  perform pg_catalog.set_config('loanflow.key_writer', '', true);
  return n;
end $$;
