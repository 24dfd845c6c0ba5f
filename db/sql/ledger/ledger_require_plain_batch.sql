-- The posting functions' arguments are read both by position (unnest) and by subscript: a batch is
-- refused (LF003) unless every array is plain (ledger_plain_array). Both ledger_post_batch, which
-- checks the batch before it posts as the owner, and ledger_post_entries call it.

create or replace function public.ledger_require_plain_batch(p_keys text[], p_posted_on date[], p_kinds text[], p_descriptions text[], p_metadata jsonb[], p_reverses bigint[], p_line_entry integer[], p_line_no integer[], p_accounts text[], p_sides text[], p_amounts numeric[]) returns void
language plpgsql stable set search_path = pg_catalog, public, pg_temp as $$
begin
  if not (public.ledger_plain_array(p_keys) and public.ledger_plain_array(p_posted_on) and public.ledger_plain_array(p_kinds)
          and public.ledger_plain_array(p_descriptions) and public.ledger_plain_array(p_metadata) and public.ledger_plain_array(p_reverses)
          and public.ledger_plain_array(p_line_entry) and public.ledger_plain_array(p_line_no) and public.ledger_plain_array(p_accounts)
          and public.ledger_plain_array(p_sides) and public.ledger_plain_array(p_amounts)) then
    perform public.ledger_fail('LF003', 'malformed batch: every array must be one-dimensional and start at 1', '{}');
  end if;
end $$;
