-- The application's way into the ledger: the same arrays and answer as ledger_post_entries (which
-- see), less what only an approved top-up may post. Money comes into a special fund by maker and
-- checker alone (fund_top_up_approve; docs/security.md), so this refuses (LF011):
--   - any line on a fund's budget account (what was allocated: only fund_allocate posts there);
--   - an entry that puts more into one fund's available and reserved accounts than it takes out,
--     unless it is a reversal, which ledger_post_entries holds to mirror an entry that exists,
--     once: it gives back what that entry took.
-- What the application posts on a fund stays its own: a reservation and its release move money
-- inside the fund, a payout takes it out (to a bank's subsidy payable, which accruals bound).
-- Then it posts as the schema's owner (security definer), through ledger_post_entries, which the
-- application's role may not execute itself.

create or replace function public.ledger_post_batch(p_keys text[], p_posted_on date[], p_kinds text[], p_descriptions text[], p_metadata jsonb[], p_reverses bigint[], p_line_entry integer[], p_line_no integer[], p_accounts text[], p_sides text[], p_amounts numeric[]) returns table (ord integer, posted_id bigint, was_replayed boolean, posted_at timestamptz)
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  bad record;
begin
  -- Read by position below and by subscript in ledger_post_entries: the two must agree.
  perform ledger_require_plain_batch(p_keys, p_posted_on, p_kinds, p_descriptions, p_metadata, p_reverses, p_line_entry, p_line_no, p_accounts, p_sides, p_amounts);
  select l.e, l.code into bad
    from unnest(p_line_entry, p_accounts) as l(e, code)
   where l.code like 'fund:%:budget'
   limit 1;
  if found then
    perform ledger_fail('LF011', format('entry %s of the batch: %s is a fund''s budget, which grows only by an approved top-up', bad.e, bad.code),
      jsonb_build_object('entry', bad.e, 'account', bad.code));
  end if;
  select x.e, x.fund, x.net into bad
    from (select l.e, split_part(l.code, ':', 2) as fund,
                 sum(case l.side when 'debit' then l.amount when 'credit' then -l.amount end) as net
            from unnest(p_line_entry, p_accounts, p_sides, p_amounts) as l(e, code, side, amount)
           where l.code like 'fund:%'
           group by l.e, split_part(l.code, ':', 2)) x
   where x.net > 0
     and not exists (select 1 from unnest(p_reverses) with ordinality as r(reverses, e) where r.e = x.e and r.reverses is not null)
   order by x.e
   limit 1;
  if found then
    perform ledger_fail('LF011', format('entry %s of the batch puts %s into fund %s: money comes into a fund only by an approved top-up (or a reversal of what left it)', bad.e, bad.net, bad.fund),
      jsonb_build_object('entry', bad.e, 'account', 'fund:' || bad.fund || ':available'));
  end if;
  return query select r.ord, r.posted_id, r.was_replayed, r.posted_at
                 from public.ledger_post_entries(p_keys, p_posted_on, p_kinds, p_descriptions, p_metadata, p_reverses,
                                                 p_line_entry, p_line_no, p_accounts, p_sides, p_amounts) r;
end $$;
