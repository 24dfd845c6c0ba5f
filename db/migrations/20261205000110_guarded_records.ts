import type { Knex } from 'knex';

/**
 * What the application's role could still change although nothing should (the probe run, as
 * `loanflow_app`): reopen a closed quarter with a plain UPDATE and no audit row, rewrite or delete
 * an application's history, rewrite a stored idempotent reply. And one person alone could reopen a
 * quarter or top up a fund by any amount. Now (docs/security.md):
 *
 * - `application_history` and `policies` are append-only, like the audit trail and the ledger;
 * - a quarter opens and closes only through `period_close` / `period_reopen`, which run as the
 *   owner and write the period's event and the audit row in the same call; the application's role
 *   loses INSERT, UPDATE and DELETE on `accounting_periods` (db/app-role.ts reads that from the
 *   `loanflow_refuse_direct_write` trigger);
 * - reopening a quarter and topping up a fund are maker–checker: a finance officer or approver
 *   proposes (`finance_proposals`), a different finance approver decides; the table refuses a
 *   decision by the proposer, by anyone but an active finance approver, a second decision, and an
 *   approved top-up whose allocation is not the ledger entry keyed on the proposal;
 * - an idempotency key's stored reply is final: once its status is set, nothing about it changes;
 *   a pending key holds a lease (renewed while its request runs) and every key expires.
 */
const PINNED = 'set search_path = pg_catalog, public, pg_temp';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- A table whose rows change only through the schema's own functions: they open the guard with
    -- a transaction-local setting (tg_argv[0]); the application's role has no privilege for the
    -- guarded operations, so setting it gains the role nothing.
    create function loanflow_refuse_direct_write() returns trigger language plpgsql ${PINNED} as $f$
    begin
      raise exception '% on % refused: it changes only through %', tg_op, tg_table_name, tg_argv[1]
        using errcode = 'insufficient_privilege';
    end $f$;

    create trigger application_history_append_only before update or delete on application_history
      for each row execute function loanflow_refuse_change();
    create trigger application_history_no_truncate before truncate on application_history
      for each statement execute function loanflow_refuse_change();
    create trigger policies_append_only before update or delete on policies
      for each row execute function loanflow_refuse_change();
    create trigger policies_no_truncate before truncate on policies
      for each statement execute function loanflow_refuse_change();

    create trigger accounting_periods_direct_write before insert or update or delete on accounting_periods
      for each statement when (current_setting('loanflow.period_writer', true) is distinct from 'on')
      execute function loanflow_refuse_direct_write('loanflow.period_writer', 'period_close() and period_reopen()');

    -- ---- maker–checker proposals ----------------------------------------------------------------
    create table finance_proposals (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (kind in ('fund_top_up', 'period_reopen')),
      fund_id uuid references funds(id),
      amount numeric(18,2) check (amount > 0),
      quarter text check (quarter ~ '^[0-9]{4}Q[1-4]$'),
      reason text not null check (length(btrim(reason)) >= 3),
      status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
      proposed_by uuid not null references users(id),
      proposed_role text not null,
      proposed_at timestamptz not null default now(),
      request_id text,
      decided_by uuid references users(id),
      decided_role text,
      decided_at timestamptz,
      decision_reason text,
      ledger_entry_id bigint references ledger_entries(id),
      check ((kind = 'fund_top_up' and fund_id is not null and amount is not null and quarter is null)
          or (kind = 'period_reopen' and quarter is not null and fund_id is null and amount is null)),
      check ((status = 'pending') = (decided_by is null)),
      -- Maker–checker: the person who decides is not the person who proposed.
      constraint finance_proposals_four_eyes check (decided_by is distinct from proposed_by),
      check (ledger_entry_id is null or (kind = 'fund_top_up' and status = 'approved'))
    );
    create index finance_proposals_fund on finance_proposals (fund_id, proposed_at) where fund_id is not null;
    create index finance_proposals_quarter on finance_proposals (quarter, proposed_at) where quarter is not null;
    create unique index finance_proposals_one_reopen on finance_proposals (quarter) where kind = 'period_reopen' and status = 'pending';

    create function finance_proposals_guard() returns trigger language plpgsql ${PINNED} as $f$
    declare
      u record;
      f record;
    begin
      if tg_op = 'DELETE' then
        raise exception 'finance_proposals: a proposal is never deleted (reject it)' using errcode = 'insufficient_privilege';
      end if;
      if tg_op = 'INSERT' then
        if new.status <> 'pending' or new.decided_by is not null or new.ledger_entry_id is not null then
          raise exception 'finance_proposals: a proposal starts pending' using errcode = 'check_violation';
        end if;
        select x.role, x.org_id into u from public.users x where x.id = new.proposed_by and x.active;
        if not found or u.role not in ('finance_officer', 'finance_approver') or u.role <> new.proposed_role then
          raise exception 'finance_proposals: only an active finance officer or approver proposes' using errcode = 'insufficient_privilege';
        end if;
        if new.kind = 'fund_top_up' then
          select x.finance_bureau_org_id as bureau into f from public.funds x where x.id = new.fund_id;
          if f.bureau is distinct from u.org_id then
            raise exception 'finance_proposals: a top-up is proposed by the fund''s own bureau' using errcode = 'insufficient_privilege';
          end if;
        end if;
        new.proposed_at := now();
        return new;
      end if;
      -- UPDATE: one decision, once; nothing else changes.
      if old.status <> 'pending' then
        raise exception 'finance_proposals: proposal % was % already', old.id, old.status using errcode = 'object_not_in_prerequisite_state';
      end if;
      if (new.id, new.kind, new.fund_id, new.amount, new.quarter, new.reason, new.proposed_by, new.proposed_role, new.proposed_at, new.request_id)
         is distinct from (old.id, old.kind, old.fund_id, old.amount, old.quarter, old.reason, old.proposed_by, old.proposed_role, old.proposed_at, old.request_id) then
        raise exception 'finance_proposals: only the decision of a proposal is recorded' using errcode = 'insufficient_privilege';
      end if;
      select x.role, x.org_id into u from public.users x where x.id = new.decided_by and x.active;
      if not found or u.role <> 'finance_approver' or u.role <> new.decided_role then
        raise exception 'finance_proposals: only an active finance approver decides' using errcode = 'insufficient_privilege';
      end if;
      if new.status = 'approved' and new.kind = 'fund_top_up' then
        select x.finance_bureau_org_id as bureau into f from public.funds x where x.id = new.fund_id;
        if f.bureau is distinct from u.org_id then
          raise exception 'finance_proposals: a top-up is approved by the fund''s own bureau' using errcode = 'insufficient_privilege';
        end if;
        -- The allocation is the ledger entry keyed on this proposal, for its amount.
        if not exists (
          select 1 from public.ledger_entries e
            join public.ledger_lines l on l.entry_id = e.id and l.side = 'debit' and l.amount = new.amount
            join public.ledger_accounts a on a.id = l.account_id and a.code = 'fund:' || new.fund_id::text || ':available'
           where e.id = new.ledger_entry_id and e.idempotency_key = 'fund-top-up:' || new.id::text and e.kind = 'fund.allocation') then
          raise exception 'finance_proposals: an approved top-up names its allocation (the ledger entry keyed fund-top-up:%)', new.id
            using errcode = 'check_violation';
        end if;
      end if;
      if new.status = 'approved' and new.kind = 'period_reopen' and current_setting('loanflow.period_writer', true) is distinct from 'on' then
        raise exception 'finance_proposals: a reopening is approved by period_reopen()' using errcode = 'insufficient_privilege';
      end if;
      new.decided_at := now();
      return new;
    end $f$;
    create trigger finance_proposals_guard before insert or update or delete on finance_proposals
      for each row execute function finance_proposals_guard();
    create trigger finance_proposals_no_truncate before truncate on finance_proposals
      for each statement execute function loanflow_refuse_change();

    alter table accounting_period_events add column proposal_id uuid references finance_proposals(id);

    -- ---- quarters open and close here, with their event and audit row -----------------------------
    create function period_close(p_quarter text, p_actor uuid, p_reason text, p_request_id text) returns void
      language plpgsql security definer ${PINNED} as $f$
    declare
      u record;
    begin
      select x.id, x.username, x.role, x.org_id into u from public.users x where x.id = p_actor and x.active;
      if not found or u.role <> 'finance_approver' then
        raise exception 'closing a quarter needs an active finance approver' using errcode = 'insufficient_privilege';
      end if;
      perform set_config('loanflow.period_writer', 'on', true);
      insert into public.accounting_periods as p (quarter, status, closed_at, closed_by) values (p_quarter, 'closed', now(), p_actor)
        on conflict (quarter) do update set status = 'closed', closed_at = now(), closed_by = excluded.closed_by
        where p.status <> 'closed';
      if not found then
        raise exception '% is closed already', p_quarter using errcode = 'object_not_in_prerequisite_state';
      end if;
      perform set_config('loanflow.period_writer', '', true);
      insert into public.accounting_period_events (quarter, action, reason, by_user_id, by_role, request_id)
        values (p_quarter, 'close', nullif(btrim(p_reason), ''), p_actor, u.role, p_request_id);
      insert into public.audit_log (actor_user_id, actor_username, actor_role, actor_org_id, action, entity_type, entity_id, reason, request_id)
        values (u.id, u.username, u.role, u.org_id, 'period.close', 'accounting_period', p_quarter, nullif(btrim(p_reason), ''), p_request_id);
    end $f$;

    create function period_reopen(p_proposal uuid, p_decider uuid, p_reason text, p_request_id text) returns text
      language plpgsql security definer ${PINNED} as $f$
    declare
      p record;
      u record;
    begin
      select x.* into p from public.finance_proposals x where x.id = p_proposal and x.kind = 'period_reopen' for update;
      if not found then
        raise exception 'reopening request % does not exist', p_proposal using errcode = 'no_data_found';
      end if;
      if p.status <> 'pending' then
        raise exception 'reopening request % was % already', p_proposal, p.status using errcode = 'object_not_in_prerequisite_state';
      end if;
      select x.id, x.username, x.role, x.org_id into u from public.users x where x.id = p_decider and x.active;
      if not found or u.role <> 'finance_approver' then
        raise exception 'reopening a quarter needs an active finance approver' using errcode = 'insufficient_privilege';
      end if;
      if p_decider = p.proposed_by then
        raise exception 'the approver must be another person than the one who asked to reopen (maker-checker)' using errcode = 'insufficient_privilege';
      end if;
      perform 1 from public.accounting_periods x where x.quarter = p.quarter and x.status = 'closed' for update;
      if not found then
        raise exception '% is not closed', p.quarter using errcode = 'object_not_in_prerequisite_state';
      end if;
      perform set_config('loanflow.period_writer', 'on', true);
      update public.accounting_periods set status = 'open', closed_at = null, closed_by = null where quarter = p.quarter;
      update public.finance_proposals
         set status = 'approved', decided_by = u.id, decided_role = u.role, decision_reason = nullif(btrim(p_reason), '')
       where id = p.id;
      perform set_config('loanflow.period_writer', '', true);
      insert into public.accounting_period_events (quarter, action, reason, by_user_id, by_role, request_id, proposal_id)
        values (p.quarter, 'reopen', p.reason, u.id, u.role, p_request_id, p.id);
      insert into public.audit_log (actor_user_id, actor_username, actor_role, actor_org_id, action, entity_type, entity_id, reason, request_id, payload)
        values (u.id, u.username, u.role, u.org_id, 'period.reopen', 'accounting_period', p.quarter, p.reason, p_request_id,
                jsonb_build_object('proposalId', p.id, 'proposedBy', p.proposed_by, 'decisionReason', nullif(btrim(p_reason), '')));
      return p.quarter;
    end $f$;

    -- ---- idempotency keys: a stored reply is final; pending keys hold a lease; all expire ----------
    alter table idempotency_keys
      add column lease_until timestamptz not null default now() + interval '1 minute',
      add column expires_at timestamptz not null default now() + interval '24 hours';
    create index idempotency_keys_expires on idempotency_keys (expires_at);

    create function idempotency_keys_guard() returns trigger language plpgsql ${PINNED} as $f$
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
    end $f$;
    create trigger idempotency_keys_guard before insert or update on idempotency_keys
      for each row execute function idempotency_keys_guard();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger idempotency_keys_guard on idempotency_keys;
    drop function idempotency_keys_guard();
    drop index idempotency_keys_expires;
    alter table idempotency_keys drop column lease_until, drop column expires_at;
    drop function period_reopen(uuid, uuid, text, text);
    drop function period_close(text, uuid, text, text);
    alter table accounting_period_events drop column proposal_id;
    drop table finance_proposals;
    drop function finance_proposals_guard();
    drop trigger accounting_periods_direct_write on accounting_periods;
    drop trigger policies_no_truncate on policies;
    drop trigger policies_append_only on policies;
    drop trigger application_history_no_truncate on application_history;
    drop trigger application_history_append_only on application_history;
    drop function loanflow_refuse_direct_write();
  `);
}
