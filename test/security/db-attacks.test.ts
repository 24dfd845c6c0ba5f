import { expect } from 'chai';
import type { Knex } from 'knex';
import { testEnv, TEST_APP_ROLE, type AppDatabase } from '../support/env';
import { createProbeRole } from '../support/probe-role';
import { accountCode, allocateBudget, closePeriod, postEntry, sealLedger, verifyLedger } from '../../db/ledger';
import { openFund } from '../support/funds';
import { insertProposal } from '../../db/repositories/proposals';
import { purgeExpiredIdempotencyKeys, releaseIdempotencyKey } from '../../db/repositories/idempotency-keys';
import { PINNED_SEARCH_PATH } from '../../db/sql-files';
import { createOrg, financeStaff, rawPost, uniqueKey } from '../ledger/helpers';

/**
 * What a hostile application role (or anyone who gets its password) tries against the database,
 * each refused by PostgreSQL itself (docs/security.md).
 */
describe('attacks on the database as the application role', () => {
  let d: AppDatabase;
  let dropProbe: () => Promise<void>;
  const probe = `loanflow_probe_${process.pid}`;

  before(async () => {
    // Quarters are global: close them in a database of our own.
    d = await (await testEnv()).newDatabase('attacks');
    // What loanflow_app could do before: the functions no longer read the caller's pg_temp.
    dropProbe = await createProbeRole(d.admin, d.name, probe);
  });
  after(async () => dropProbe?.());

  /** Runs `body` as the probe role inside a transaction that is always rolled back. */
  async function asProbe<T>(body: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    let out: T | undefined;
    await d.admin
      .transaction(async (trx) => {
        await trx.raw(`set local role ${probe}`);
        out = await body(trx);
        throw new Error('rollback');
      })
      .catch((e: Error) => {
        if (e.message !== 'rollback') throw e;
      });
    return out as T;
  }

  const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: { code?: string; message: string }) => e);

  it('may not create temporary tables (nor anything in the schema)', async () => {
    for (const sql of ['create temp table accounting_periods (quarter text)', 'create temporary table x (y int)', 'create table public.x (y int)']) {
      const err = await refusal(d.db.raw(sql));
      expect(err, sql).to.not.equal(undefined);
      expect(err!.code, `${sql}: ${err!.message}`).to.equal('42501');
    }
  });

  it('cannot reopen a closed quarter for the posting function with a temporary accounting_periods', async () => {
    const bank = await createOrg(d.db, 'bank');
    await closePeriod(d.db, '2024Q1', { actorId: (await financeStaff(d.db)).approver.userId });
    const lines = [
      { account: accountCode.bank(bank, 'cash'), side: 'debit', amount: '10.00' },
      { account: accountCode.bank(bank, 'interest_income'), side: 'credit', amount: '10.00' },
    ];
    const err = await asProbe(async (trx) => {
      await trx.raw('create temp table accounting_periods (quarter text, status text, starts_on date, ends_on date)');
      return refusal(rawPost(trx, [{ key: uniqueKey('closed'), postedOn: '2024-02-01', lines }]));
    });
    expect(err?.code, err?.message).to.equal('LF002');
  });

  it('cannot overdraw a fund through the posting function with a temporary ledger_balances', async () => {
    const bureau = await createOrg(d.db, 'finance_bureau');
    const fund = await openFund(d.db, { bureauId: bureau, year: 2028, name: 'attack fund' });
    await allocateBudget(d.admin, { fundId: fund.id, amount: '100.00', postedOn: '2028-01-05', idempotencyKey: uniqueKey('alloc') });
    const err = await asProbe(async (trx) => {
      await trx.raw('create temp table ledger_balances as select * from public.ledger_balances');
      await trx.raw('update pg_temp.ledger_balances set allow_negative = true');
      return refusal(
        rawPost(trx, [
          {
            key: uniqueKey('overdraw'),
            postedOn: '2028-02-01',
            // A reservation: a move inside the fund, which the outflow check lets through to the balances.
            kind: 'fund.reservation',
            lines: [
              { account: accountCode.fund(fund.id, 'reserved'), side: 'debit', amount: '1000.00' },
              { account: accountCode.fund(fund.id, 'available'), side: 'credit', amount: '1000.00' },
            ],
          },
        ]),
      );
    });
    expect(err?.code, err?.message).to.equal('LF010');
    const { rows } = await d.db.raw(`select available from ledger_fund_status(?::uuid)`, [fund.id]);
    expect(rows[0].available).to.equal('100.00');
  });

  it('may not add a kind of account to the chart, nor create large objects', async () => {
    const chart = await refusal(d.db.raw(`insert into ledger_chart (kind, code_pattern, entity, type, normal_side, allow_negative, name) values ('zz_catch_all', '.', null, 'asset', 'debit', true, 'catch-all')`));
    expect(chart?.code, chart?.message).to.equal('42501');
    const lo = await refusal(d.db.raw('select lo_create(0)'));
    expect(lo?.code, lo?.message).to.equal('42501');
  });

  it('may not make itself an admin: an officer or admin account is created only through the admin path', async () => {
    const planted = await refusal(d.db('users').insert({ username: `evil-${process.pid}`, password_hash: 'x', role: 'admin' }));
    expect(planted?.code, planted?.message).to.equal('42501');
    const staff = await financeStaff(d.db);
    // The function wants an active admin as the actor; a finance approver is not one.
    const viaFunction = await refusal(
      d.db.raw(`select * from loanflow_create_user(?::uuid, 'evil2', 'x', 'admin', null, null, null, null)`, [staff.approver.userId]),
    );
    expect(viaFunction?.code).to.equal('LU002');
    // An applicant's account (what public registration makes) is still the application's to insert.
    await d.db('users').insert({ username: `applicant-${process.pid}`, password_hash: 'x', role: 'applicant', id_number: '220102199003070013' });
  });

  it('every function of the schema resolves names with pg_temp last (or is an IMMUTABLE SQL function, which reads no table)', async () => {
    const { rows } = await d.admin.raw(
      `select p.oid::regprocedure::text as fn, l.lanname as lang, p.provolatile as vol, p.prosecdef as definer,
              (select c from unnest(p.proconfig) c where c like 'search_path=%') as path
         from pg_proc p
         join pg_namespace n on n.oid = p.pronamespace and n.nspname = 'public'
         join pg_language l on l.oid = p.prolang
        where not exists (select 1 from pg_depend x where x.classid = 'pg_proc'::regclass and x.objid = p.oid and x.deptype = 'e')`,
    );
    expect(rows.length).to.be.greaterThan(20);
    for (const r of rows as Array<{ fn: string; lang: string; vol: string; definer: boolean; path: string | null }>) {
      if (r.lang === 'sql' && r.vol === 'i' && !r.definer) continue;
      expect(r.path, r.fn).to.equal(`search_path=${PINNED_SEARCH_PATH}`);
    }
  });

  it('the application role has what it needs and no more: no TEMPORARY, no CREATE, and only it may run SECURITY DEFINER functions', async () => {
    const { rows } = await d.admin.raw(
      `select has_database_privilege(?, current_database(), 'TEMPORARY') as temp,
              has_schema_privilege(?, 'public', 'CREATE') as create,
              (select array_agg(p.proname::text order by p.proname) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                where n.nspname = 'public' and p.prosecdef and has_function_privilege('public', p.oid, 'EXECUTE')) as public_definers`,
      [TEST_APP_ROLE.name, TEST_APP_ROLE.name],
    );
    expect(rows[0]).to.deep.equal({ temp: false, create: false, public_definers: null });
  });

  it('may not forge a seal: only ledger_seal writes one, as the owner, and the chain still verifies', async () => {
    const bank = await createOrg(d.db, 'bank');
    const entry = await postEntry(d.db, {
      idempotencyKey: uniqueKey('to-seal'), postedOn: '2028-03-01', kind: 'loan.repayment',
      lines: [
        { account: accountCode.bank(bank, 'cash'), side: 'debit', amount: '1.00' },
        { account: accountCode.bank(bank, 'interest_income'), side: 'credit', amount: '1.00' },
      ],
    });
    const zeros = '0'.repeat(64);
    const forge = (db: Knex) =>
      db.transaction(async (trx) => {
        await trx.raw(`select set_config('loanflow.ledger_writer', 'seal', true)`);
        const { rows } = await trx.raw('select coalesce(max(last_seq), 0) + 1 as next from ledger_seals');
        await trx('ledger_seals').insert({ first_seq: rows[0].next, last_seq: rows[0].next, entries: 1, prev_hash: zeros, head_hash: zeros, entry_ids: [entry.id], hashes: [zeros] });
      });
    const forged = await refusal(forge(d.db));
    expect(forged?.code, forged?.message).to.equal('42501');
    // The owner without the function is refused by the table itself.
    const byOwner = await refusal(d.admin('ledger_seals').insert({ first_seq: 1e9, last_seq: 1e9, entries: 1, prev_hash: zeros, head_hash: zeros, entry_ids: [entry.id], hashes: [zeros] }));
    expect(byOwner?.message).to.contain('ledger_seals is written only by sealing (ledger_seal)');
    await sealLedger(d.db);
    const seal = await d.db('ledger_seals').whereRaw('? = any(entry_ids)', [entry.id]).first('sealed_by');
    expect(seal.sealed_by).to.equal(TEST_APP_ROLE.name);
    expect((await verifyLedger(d.db)).ok).to.equal(true);
  });

  it('may not backdate an event: audit rows and period events say when the database recorded them', async () => {
    const staff = await financeStaff(d.db);
    const recent = `now() - at < interval '1 minute' as recent`;
    const [row] = await d.db('audit_log')
      .insert({ at: '2020-01-01T00:00:00Z', actor_username: 'system', actor_role: 'system', action: 'test.backdated', entity_type: 'test', entity_id: uniqueKey() })
      .returning('id');
    expect((await d.db('audit_log').where({ id: row.id }).first(d.db.raw(recent))).recent).to.equal(true);
    // A period's event is written only by period_close and period_reopen: not by the role, flag or not.
    for (const flag of [false, true]) {
      const planted = await refusal(
        d.db.transaction(async (trx) => {
          if (flag) await trx.raw(`select set_config('loanflow.period_writer', 'on', true)`);
          await trx('accounting_period_events').insert({ quarter: '2023Q3', action: 'reopen', reason: 'backdated reopening', by_user_id: staff.approver.userId, by_role: 'finance_approver', at: '2023-10-02T00:00:00Z' });
        }),
      );
      expect(planted?.code, planted?.message).to.equal('42501');
    }
    // The owner's own functions still write it, dated now whatever the clock of the caller.
    await closePeriod(d.db, '2023Q3', { actorId: staff.approver.userId });
    expect((await d.db('accounting_period_events').where({ quarter: '2023Q3' }).first(d.db.raw(recent))).recent).to.equal(true);
  });

  it('may not approve a reopening without reopening the quarter, whatever it sets', async () => {
    const staff = await financeStaff(d.db);
    await closePeriod(d.db, '2023Q2', { actorId: staff.approver.userId });
    const p = await insertProposal(d.db, { kind: 'period_reopen', quarter: '2023Q2', reason: 'wants it open', proposedBy: staff.officer.userId, proposedRole: 'finance_officer', requestId: null });
    const err = await refusal(
      d.db.transaction(async (trx) => {
        // What the review did: the setting period_reopen uses, set for the whole session.
        await trx.raw(`select set_config('loanflow.period_writer', 'on', false)`);
        await trx('finance_proposals').where({ id: p.id }).update({ status: 'approved', decided_by: staff.approver.userId, decided_role: 'finance_approver' });
      }),
    );
    expect(err?.code, err?.message).to.equal('42501');
    expect(err?.message).to.match(/approved only by period_reopen/);
    expect((await d.db('finance_proposals').where({ id: p.id }).first()).status).to.equal('pending');
    expect((await d.db('accounting_periods').where({ quarter: '2023Q2' }).first()).status).to.equal('closed');
  });

  it('may not close a quarter that has not ended, whoever it names', async () => {
    const staff = await financeStaff(d.db);
    const err = await refusal(closePeriod(d.db, '2099Q4', { actorId: staff.approver.userId }));
    expect(err?.message).to.match(/2099Q4 has not ended \(it ends 2099-12-31\)/);
    expect(await d.db('accounting_periods').where({ quarter: '2099Q4' }).first()).to.equal(undefined);
  });

  it('may not replace a stored reply: a replied key is deleted by no one until it expires', async () => {
    const staff = await financeStaff(d.db);
    const key = uniqueKey('reply');
    await d.db('idempotency_keys').insert({ user_id: staff.officer.userId, key, method: 'POST', path: '/v1/x', request_hash: 'h' });
    await d.db('idempotency_keys').where({ key }).update({ status_code: 201, response: JSON.stringify({ id: 'the real one' }) });
    const deleted = await refusal(d.db('idempotency_keys').where({ key }).delete());
    expect(deleted?.code, deleted?.message).to.equal('42501');
    expect(await releaseIdempotencyKey(d.db, staff.officer.userId, key)).to.equal(false);
    await purgeExpiredIdempotencyKeys(d.db);
    expect((await d.db('idempotency_keys').where({ key }).first()).response).to.deep.equal({ id: 'the real one' });
    // A pending key (its request failed without a reply to keep) is released.
    const pending = uniqueKey('pending');
    await d.db('idempotency_keys').insert({ user_id: staff.officer.userId, key: pending, method: 'POST', path: '/v1/x', request_hash: 'h' });
    expect(await releaseIdempotencyKey(d.db, staff.officer.userId, pending)).to.equal(true);
  });
});
