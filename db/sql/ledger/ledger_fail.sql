-- Every refusal of the ledger: a stable SQLSTATE (LFxxx) and a JSON detail that repeats the
-- message, so clients read it intact whatever their driver does to the error message.

create or replace function public.ledger_fail(p_code text, p_message text, p_detail jsonb default '{}'::jsonb) returns void
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  raise exception using errcode = p_code, message = p_message,
    detail = (coalesce(p_detail, '{}'::jsonb) || jsonb_build_object('message', p_message))::text;
end $$;
