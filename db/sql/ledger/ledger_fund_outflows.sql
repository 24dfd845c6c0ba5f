-- Money leaves a special fund only as docs/ledger.md, "What moves money out of a special fund",
-- maps it. ledger_post_entries calls this, after it has written the entries and lines and before it
-- touches a balance, with the ids of the entries written now that credit a fund's available or
-- reserved account (p_ords: their place in the batch, for the refusal). Refuses (LF013):
--   - a reservation, a release or a reversal with a line off the fund's own accounts (a reversal of
--     a payout's reversal would pay it again with nothing behind it);
--   - a payout (fund.payout, training.payout, incubator.reward) not of two lines, from the fund
--     to the claim's payee account, of the claim's amount, for a claim (metadata.claimId) that is
--     approved and unpaid, of the fund's programme and its approver's bureau (a claim paid before and
--     reversed: of the fund it was paid from); or while another payout of that claim (of a reward: and payee) from a fund
--     stands (one of its kind from elsewhere, which this check never sees, spends no fund). The
--     claim's row is locked first, so two payouts of one claim take turns and the second sees the
--     first;
--   - a lapse (fund.lapse) not of two lines from the fund's available account to its bureau's
--     treasury, dated in its year, or after another lapse of the fund (that it takes all that is
--     available, ledger_post_entries checks once the balances are updated);
--   - any other kind.
-- Only the schema's owner runs it (db/app-role.ts), inside ledger_post_entries.

create or replace function public.ledger_fund_outflows(p_ids bigint[], p_ords integer[]) returns void
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  e record;
  v_claim uuid;
  v_status text;
  v_fund uuid;
  v_amount numeric;
  v_payee text;
  v_decider uuid;
  v_bureau uuid;
  v_why text;
begin
  for e in
    select g.*, f.id as fund_id, f.programme, f.year, f.finance_bureau_org_id
      from (select x.id, x.ord, le.kind, le.posted_on, le.metadata, le.reverses_entry_id,
                   count(*) as n,
                   count(distinct split_part(a.code, ':', 2)) filter (where a.code like 'fund:%') as funds,
                   count(*) filter (where a.code not like 'fund:%') as outside,
                   min(split_part(a.code, ':', 2)) filter (where l.side = 'credit' and a.kind in ('fund_available', 'fund_reserved')) as fund,
                   min(a.kind) filter (where l.side = 'credit' and a.kind in ('fund_available', 'fund_reserved')) as fund_account,
                   min(l.amount) filter (where l.side = 'credit') as credit,
                   min(a.code) filter (where l.side = 'debit') as debit_account,
                   min(l.amount) filter (where l.side = 'debit') as debit
              from unnest(p_ids, p_ords) as x(id, ord)
              join public.ledger_entries le on le.id = x.id
              join public.ledger_lines l on l.entry_id = x.id
              join public.ledger_accounts a on a.id = l.account_id
             group by x.id, x.ord, le.kind, le.posted_on, le.metadata, le.reverses_entry_id) g
      -- A fund account exists only for a fund that does (ledger_accounts_before_insert).
      join public.funds f on f.id = g.fund::uuid
     order by g.ord
  loop
    v_why := null;
    if e.reverses_entry_id is not null or e.kind in ('fund.reservation', 'fund.release') then
      if e.outside > 0 or e.funds <> 1 then
        v_why := 'a reservation, release or reversal moves money only between one fund''s own accounts';
      end if;
    elsif e.kind = 'fund.lapse' then
      if e.n <> 2 or e.fund_account <> 'fund_available' or e.debit_account <> 'treasury:' || e.finance_bureau_org_id || ':cash' then
        v_why := 'a lapse moves the fund''s available budget to its own bureau''s treasury, in two lines';
      elsif e.posted_on <= make_date(e.year, 12, 31) then
        v_why := format('the fund''s year %s has not ended on %s', e.year, e.posted_on);
      else
        -- The fund's row, as the lapse use case and a top-up approval lock it: they take turns.
        perform 1 from public.funds where id = e.fund_id for update;
        if exists (select 1
                     from public.ledger_accounts a
                     join public.ledger_lines l on l.account_id = a.id and l.side = 'credit'
                     join public.ledger_entries o on o.id = l.entry_id and o.kind = 'fund.lapse' and o.id <> e.id
                    where a.code = 'fund:' || e.fund_id || ':available'
                      -- A lapse reversed gave the money back: it must not keep the year-end one out.
                      and not exists (select 1 from public.ledger_entries r where r.reverses_entry_id = o.id)) then
          v_why := 'the fund has lapsed already';
        end if;
      end if;
    elsif e.kind in ('fund.payout', 'training.payout', 'incubator.reward') then
      -- Only the id as PostgreSQL writes it (lower case, hyphenated): the check for a standing payout
      -- below compares the text, so another spelling of the same claim would pass it.
      v_claim := case when e.metadata ->> 'claimId' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                      then (e.metadata ->> 'claimId')::uuid end;
      v_payee := null;
      v_status := null;
      if e.kind = 'fund.payout' then
        select c.status, c.fund_id, c.total, 'bank:' || c.bank_id || ':subsidy_payable', c.approved_by, u.org_id
          into v_status, v_fund, v_amount, v_payee, v_decider, v_bureau
          from public.subsidy_claims c left join public.users u on u.id = c.approved_by where c.id = v_claim for update of c;
      elsif e.kind = 'training.payout' then
        select c.status, c.fund_id, c.amount, 'program:training_subsidy_expense', c.decided_by, u.org_id
          into v_status, v_fund, v_amount, v_payee, v_decider, v_bureau
          from public.training_claims c left join public.users u on u.id = c.decided_by where c.id = v_claim for update of c;
      else
        select c.status, c.fund_id, c.amount_each, 'program:incubator_reward_expense', c.decided_by, u.org_id
          into v_status, v_fund, v_amount, v_payee, v_decider, v_bureau
          from public.incubator_reward_claims c left join public.users u on u.id = c.decided_by where c.id = v_claim for update of c;
      end if;
      if v_status is null then
        v_why := format('metadata.claimId names no claim of this kind (%s)', coalesce(e.metadata ->> 'claimId', 'none'));
      elsif not (v_status in ('CHECKED', 'PENDING_BUDGET') and v_decider is not null or v_status = 'PAYOUT_REVERSED' and e.kind = 'fund.payout') then
        v_why := format('claim %s is %s%s: only an approved, unpaid claim is paid', v_claim, v_status, case when v_decider is null then ' with no approver' else '' end);
      elsif e.programme <> (case e.kind when 'fund.payout' then 'interest_subsidy' when 'training.payout' then 'training_subsidy' else 'incubator_rewards' end)
            -- Until paid, a claim's fund is the one its payment finds (a claim waiting for budget may
            -- be paid from the next year's fund); once paid, the one it was paid from.
            or (v_status = 'PAYOUT_REVERSED' and v_fund is distinct from e.fund_id)
            or (v_status <> 'PAYOUT_REVERSED' and e.finance_bureau_org_id is distinct from v_bureau) then
        v_why := format('claim %s is not paid from fund %s (its programme, its approver''s bureau and its fund decide)', v_claim, e.fund_id);
      elsif e.n <> 2 or e.credit <> v_amount or e.debit <> v_amount or e.debit_account <> v_payee then
        v_why := format('claim %s is paid %s, in two lines, to %s', v_claim, v_amount, v_payee);
      elsif e.kind = 'incubator.reward' and (e.metadata ->> 'payee') is distinct from 'operator' and (e.metadata ->> 'payee') is distinct from 'enterprise' then
        v_why := 'a reward is paid to its operator or its enterprise (metadata.payee)';
      elsif exists (select 1 from public.ledger_entries o
                     where (o.metadata ->> 'claimId') = (e.metadata ->> 'claimId') and o.kind = e.kind and o.id <> e.id
                       -- Spelled out, so the plan (generic: ledger_post_entries forces it) can use the index ledger_entries_payout_claim.
                       and o.kind in ('fund.payout', 'training.payout', 'incubator.reward')
                       and (e.kind <> 'incubator.reward' or (o.metadata ->> 'payee') = (e.metadata ->> 'payee'))
                       and not exists (select 1 from public.ledger_entries r where r.reverses_entry_id = o.id)
                       and exists (select 1 from public.ledger_lines ol join public.ledger_accounts oa on oa.id = ol.account_id
                                    where ol.entry_id = o.id and ol.side = 'credit' and oa.kind in ('fund_available', 'fund_reserved'))) then
        v_why := format('claim %s has a payout%s that stands (a payout is made again only after its reversal)', v_claim,
                        case when e.kind = 'incubator.reward' then ' to the ' || (e.metadata ->> 'payee') else '' end);
      end if;
    else
      v_why := 'not a posting that takes money out of a fund (docs/ledger.md)';
    end if;
    if v_why is not null then
      perform ledger_fail('LF013', format('entry %s of the batch (%s) takes money out of fund %s: %s', e.ord, e.kind, e.fund, v_why),
        jsonb_build_object('entry', e.ord, 'kind', e.kind, 'account', 'fund:' || e.fund || ':' || replace(e.fund_account, 'fund_', '')));
    end if;
  end loop;
end $$;
