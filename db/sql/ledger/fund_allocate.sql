-- A special fund's budget grows by this and nothing else: Dr fund:F:available / Cr fund:F:budget,
-- posted by ledger_post_entries with the same idempotency rules as any entry. The application's
-- role may not run it (db/app-role.ts withholds EXECUTE; ledger_post_batch refuses the budget's
-- lines): fund_top_up_approve runs it for an approved top-up, the schema's owner for the demo seed
-- and tests. It runs as its caller, so only the owner's own functions reach the posting function.

create or replace function public.fund_allocate(p_fund uuid, p_amount numeric, p_posted_on date, p_key text, p_description text, p_metadata jsonb) returns table (posted_id bigint, was_replayed boolean, posted_at timestamptz)
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
begin
  return query
  select r.posted_id, r.was_replayed, r.posted_at
    from public.ledger_post_entries(array[p_key], array[p_posted_on], array['fund.allocation'], array[coalesce(p_description, 'Budget allocation')],
                                    array[jsonb_build_object('fundId', p_fund) || coalesce(p_metadata, '{}'::jsonb)], array[null::bigint],
                                    array[1, 1], array[1, 2], array['fund:' || p_fund || ':available', 'fund:' || p_fund || ':budget'],
                                    array['debit', 'credit'], array[p_amount, p_amount]) r;
end $$;
