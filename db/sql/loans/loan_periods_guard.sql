-- A loan's periods as its workflow planned them (docs/domain.md §1.6, §3.3): the subsidy the fund
-- pays is accrued from a period's interest, subsidy and due date, so what a period schedules (its
-- due date, quarter, principal, interest, subsidy, outstanding principal after it, whether it is
-- an extension's) changes only as one of two steps re-plans it:
--  - an early repayment in full: the loan's payoff, recorded (loan_repayments) for this period,
--    settles it on its day, on exactly the principal and interest it paid; the later periods,
--    nothing paid towards them, are then deleted (the only deletion);
--  - an extension: the loan's extension recorded (loan_events, once, loan_events_guard) and the
--    loan not extended yet, periods nothing was paid towards keep their due dates and are
--    re-planned; periods past the contract's term are added as an extension's; the loan is
--    extended in the same transaction (checked at commit, loan_periods_replanned).
-- What was paid towards a period is what its recorded repayments paid (loan_repayments, whose own
-- guard ties each to its ledger entry), on the last day one paid; it never decreases, nor moves
-- back its last payment day; a period is settled (paid_on_time, paid_late) exactly when a payment
-- pays it in full, and a settled or defaulted period changes no more. A period is inserted as planned, for a loan being repaid: due its number of
-- months after the disbursal (in that quarter), nothing paid, an extension's exactly when past the
-- contract's term. The steps write periods as an upsert: a row already there is checked as its
-- update. TRUNCATE is refused by loanflow_refuse_change. docs/security.md.

create or replace function public.loan_periods_guard() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp as $$
declare
  -- What a payment writes; every other column is the schedule.
  c_payment constant text[] := array['paid', 'last_paid_on', 'status', 'updated_at'];
  n jsonb;
  o jsonb;
  changed text;
  l public.loans%rowtype;
  paid_total numeric;
  paid_last date;
begin
  if tg_op = 'DELETE' then
    if old.paid <> 0 or not exists (
         select 1 from public.loan_repayments r where r.loan_id = old.loan_id and r.kind = 'payoff' and r.period < old.period) then
      raise exception 'loan_periods %/%: a period is deleted only as an earlier one repays the loan in full, nothing paid towards it',
        old.loan_id, old.period using errcode = 'insufficient_privilege';
    end if;
    return old;
  end if;

  if tg_op = 'INSERT' then
    if exists (select 1 from public.loan_periods p where p.loan_id = new.loan_id and p.period = new.period) then
      return new;
    end if;
    select * into l from public.loans where id = new.loan_id;
    changed := concat_ws(', ',
      case when l.status is distinct from 'REPAYING' then 'loan_id' end,
      case when new.due_on is distinct from (l.disbursed_on + pg_catalog.make_interval(months => new.period))::date then 'due_on' end,
      case when new.quarter is distinct from pg_catalog.to_char(new.due_on, 'YYYY"Q"Q') then 'quarter' end,
      case when new.extended is distinct from (new.period > l.term_months) then 'extended' end,
      case when new.paid <> 0 then 'paid' end,
      case when new.last_paid_on is not null then 'last_paid_on' end,
      case when new.status <> 'scheduled' then 'status' end);
    if changed <> '' then
      raise exception 'loan_periods %/%: %: a period is inserted as planned, for a loan being repaid: due a month per period after the disbursal, nothing paid',
        new.loan_id, new.period, changed using errcode = 'insufficient_privilege';
    end if;
    return new;
  end if;

  n := pg_catalog.to_jsonb(new);
  o := pg_catalog.to_jsonb(old);
  if old.status in ('paid_on_time', 'paid_late', 'defaulted') then
    perform public.loanflow_refuse_changed(n, o, array['updated_at'], pg_catalog.format('loan_periods %s/%s: {columns}: a %s period changes no more', old.loan_id, old.period, old.status));
    return new;
  end if;
  changed := concat_ws(', ',
    case when (new.loan_id, new.period) is distinct from (old.loan_id, old.period) then 'loan_id, period' end,
    case when new.paid < old.paid then 'paid' end,
    case when new.last_paid_on is distinct from old.last_paid_on
          and (new.paid = old.paid or new.last_paid_on is null or new.last_paid_on < old.last_paid_on) then 'last_paid_on' end,
    -- Asked of a payment only: a period that comes to 0.00 stays `scheduled` (the schedule counts it
    -- settled, domain/repayment.ts isSettled), and re-writing it unchanged must pass.
    case when (new.paid, new.status) is distinct from (old.paid, old.status)
          and (new.status in ('paid_on_time', 'paid_late')) is distinct from (new.paid = new.principal + new.interest) then 'status' end);
  if changed <> '' then
    raise exception 'loan_periods %/%: %: what was paid never decreases, and a period is settled exactly when paid in full',
      old.loan_id, old.period, changed using errcode = 'insufficient_privilege';
  end if;
  -- A payment is a recorded repayment (loan_repayments, inserted first by the same step): what was
  -- paid is what they paid towards the period, on the last day one of them paid.
  if (new.paid, new.last_paid_on) is distinct from (old.paid, old.last_paid_on) then
    select coalesce(sum(r.amount), 0), max(r.paid_on) into paid_total, paid_last
      from public.loan_repayments r where r.loan_id = new.loan_id and r.period = new.period;
    if (new.paid, new.last_paid_on) is distinct from (paid_total, paid_last) then
      raise exception 'loan_periods %/%: paid, last_paid_on: what was paid towards a period is what its recorded repayments paid', old.loan_id, old.period
        using errcode = 'insufficient_privilege';
    end if;
  end if;
  -- Settled on time exactly when its last payment came within its loan's policy's grace days of
  -- the due date (domain/repayment.ts paidOnTime): only an on-time period earns the subsidy
  -- (subsidy_accruals_guard).
  if new.status is distinct from old.status and new.status in ('paid_on_time', 'paid_late')
     and (new.status = 'paid_on_time') is distinct from (new.last_paid_on <= new.due_on + (
           select coalesce((p.params ->> 'graceDays')::integer, 0)
             from public.loans x join public.policies p on p.id = x.policy_id where x.id = new.loan_id)) then
    raise exception 'loan_periods %/%: status: % is for a last payment % the policy''s grace days after the due date',
      old.loan_id, old.period, new.status, case when new.status = 'paid_on_time' then 'within' else 'past' end
      using errcode = 'insufficient_privilege';
  end if;

  changed := public.loanflow_changed_columns(n, o, c_payment);
  if changed is null then
    return new;
  end if;
  -- The payoff re-plans the period it settles.
  if old.paid = 0 and new.status = 'paid_on_time' and new.outstanding_after = 0 and new.extended = old.extended
     and exists (select 1 from public.loan_repayments r
                  where r.loan_id = new.loan_id and r.period = new.period and r.kind = 'payoff'
                    and r.principal_part = new.principal and r.interest_part = new.interest
                    and r.paid_on = new.due_on and new.last_paid_on = new.due_on) then
    return new;
  end if;
  -- An extension re-plans the periods nothing was paid towards, on their due dates.
  if old.paid = 0 and new.paid = 0 and (new.due_on, new.quarter, new.extended) is not distinct from (old.due_on, old.quarter, old.extended)
     and exists (select 1 from public.loans x where x.id = new.loan_id and x.status = 'REPAYING' and x.extended_months = 0)
     and exists (select 1 from public.loan_events e where e.loan_id = new.loan_id and e.step = 'extension') then
    return new;
  end if;
  raise exception 'loan_periods %/%: % changes only as the loan''s payoff or extension re-plans the period', old.loan_id, old.period, changed
    using errcode = 'insufficient_privilege';
end $$;

create or replace trigger loan_periods_guard before insert or update or delete on public.loan_periods
  for each row execute function public.loan_periods_guard();
