import { expect } from 'chai';
import { testEnv, type AppDatabase, type TestEnv } from '../support/env';
import { createProbeRole } from '../support/probe-role';
import { startPlainApi, type Api } from './helpers';

/**
 * Roles, organisations, the active flag and token versions change only through the admin path
 * (loanflow_change_user / loanflow_revoke_tokens), with an audit row, and the database enforces it
 * against the application's own role. A database of its own: these tests demote and deactivate admins.
 */
describe('accounts: the admin path', () => {
  let env: TestEnv, d: AppDatabase, api: Api;
  let adminToken: string;
  const ids = new Map<string, string>();
  const idOf = async (username: string) => ids.get(username) ?? (await d.db('users').where({ username }).first()).id;
  const login = async (username: string, password = 'demo') => {
    const r = await api.call('POST', '/v1/auth/login', { body: { username, password } });
    expect(r.status, `${username}: ${JSON.stringify(r.body)}`).to.equal(200);
    return r.body.token as string;
  };
  const newOfficer = async (role: string, orgType: string | null) => {
    const username = `${role.replace(/_/g, '-')}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
    const orgId = orgType ? (await d.db('organisations').where({ type: orgType }).first()).id : undefined;
    const r = await api.call('POST', '/v1/users', { token: adminToken, body: { username, password: 'password-1', role, ...(orgId ? { orgId } : {}) } });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    ids.set(username, r.body.id);
    return { username, id: r.body.id as string };
  };
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: { code?: string; message: string }) => e);

  before(async () => {
    env = await testEnv();
    d = await env.newDatabase('auth_accounts', { seed: true, pool: 6 });
    api = await startPlainApi(env, { db: d.db });
    adminToken = await login('admin');
  });
  after(async () => api?.close());

  it('refuses the application’s role a direct UPDATE or DELETE of users; the trigger refuses even the owner', async () => {
    const bank = await idOf('bank-b');
    for (const sql of [`update users set role = 'admin', org_id = null where id = '${bank}'`, `update users set token_version = 0`, `update users set active = false`, `delete from users where id = '${bank}'`]) {
      const err = await failure(d.db.raw(sql));
      expect(err?.code, `${sql}: ${err?.message}`).to.equal('42501');
    }
    const owner = await failure(d.admin.raw(`update users set role = 'admin', org_id = null where id = '${bank}'`));
    expect(owner?.message).to.match(/admin path only/);
    expect((await d.db('users').where({ id: bank }).first()).role).to.equal('bank_officer');
  });

  it('changes a role through the function, with the audit row, even with temp tables named users and audit_log', async () => {
    const reviewer = await newOfficer('guarantee_reviewer', 'guarantee_company');
    const admin = await idOf('admin');
    const before = Number((await d.admin('audit_log').count('* as n').first())!.n);
    // loanflow_app may not create temporary tables at all (test/security/db-attacks.test.ts); a role
    // that may shows the function itself never reads them.
    const probe = `loanflow_probe_users_${process.pid}`;
    const dropProbe = await createProbeRole(d.admin, d.name, probe);
    await d.admin.transaction(async (trx) => {
      await trx.raw(`set local role ${probe}`);
      await trx.raw('create temp table users (like public.users) on commit drop');
      await trx.raw('create temp table audit_log (like public.audit_log) on commit drop');
      await trx.raw('set local search_path = pg_temp, public');
      const { rows } = await trx.raw(`select * from public.loanflow_change_user(?, ?, 'guarantee_approver', false, null, null, 'rid-temp', 'client-temp')`, [admin, reviewer.id]);
      expect(rows[0].role).to.equal('guarantee_approver');
      expect(Number((await trx.raw('select count(*) as n from pg_temp.users')).rows[0].n)).to.equal(0);
      expect(Number((await trx.raw('select count(*) as n from pg_temp.audit_log')).rows[0].n)).to.equal(0);
    });
    await dropProbe();
    expect((await d.admin('users').where({ id: reviewer.id }).first()).role).to.equal('guarantee_approver');
    const row = await d.admin('audit_log').where({ request_id: 'rid-temp' }).first();
    expect(row).to.include({ action: 'user.change', entity_id: reviewer.id, actor_username: 'admin', client_request_id: 'client-temp' });
    expect(row.payload).to.deep.include({ from: { role: 'guarantee_reviewer', orgId: row.payload.from.orgId, active: true } });
    expect(Number((await d.admin('audit_log').count('* as n').first())!.n)).to.equal(before + 1);
  });

  it('refuses a change by anyone but an active admin', async () => {
    const reviewer = await newOfficer('guarantee_reviewer', 'guarantee_company');
    const err = await failure(d.db.raw(`select * from loanflow_change_user(?, ?, 'guarantee_approver', false, null, null, null, null)`, [await idOf('bank-a'), reviewer.id]));
    expect(err?.code).to.equal('LU002');
    expect((await d.db('users').where({ id: reviewer.id }).first()).role).to.equal('guarantee_reviewer');
  });

  it('revokes tokens on logout and on deactivation; reactivation does not revive them', async () => {
    const officer = await newOfficer('bank_officer', 'bank');
    const t1 = await login(officer.username, 'password-1');
    expect((await api.call('GET', '/v1/me', { token: t1 })).status).to.equal(200);
    expect((await api.call('POST', '/v1/auth/logout', { token: t1 })).status).to.equal(204);
    const after = await api.call('GET', '/v1/me', { token: t1 });
    expect(after.status).to.equal(401);
    expect(after.body.error.message).to.match(/revoked/);
    expect(await d.db('audit_log').where({ action: 'user.logout', entity_id: officer.id }).first()).to.not.equal(undefined);

    const t2 = await login(officer.username, 'password-1');
    expect((await api.call('PATCH', `/v1/users/${officer.id}`, { token: adminToken, body: { active: false } })).status).to.equal(200);
    expect((await api.call('GET', '/v1/me', { token: t2 })).status).to.equal(401);
    expect((await api.call('POST', '/v1/auth/login', { body: { username: officer.username, password: 'password-1' } })).status).to.equal(401);
    expect((await api.call('PATCH', `/v1/users/${officer.id}`, { token: adminToken, body: { active: true } })).status).to.equal(200);
    expect((await api.call('GET', '/v1/me', { token: t2 })).status, 'a token from before the deactivation').to.equal(401);
    const t3 = await login(officer.username, 'password-1');
    expect((await api.call('GET', '/v1/me', { token: t3 })).status).to.equal(200);
    const change = await d.db('audit_log').where({ action: 'user.change', entity_id: officer.id }).orderBy('id').first();
    expect(change.payload.tokensRevoked).to.equal(true);
  });

  it('refuses to deactivate or demote the last active admin', async () => {
    const admin = await idOf('admin');
    const finance = (await d.db('organisations').where({ type: 'finance_bureau' }).first()).id;
    for (const body of [{ active: false }, { role: 'auditor', orgId: finance }]) {
      const r = await api.call('PATCH', `/v1/users/${admin}`, { token: adminToken, body });
      expect(r.status, JSON.stringify(r.body)).to.equal(422);
      expect(r.body.error.message).to.match(/last active admin/);
    }
    expect(await d.db('users').where({ id: admin }).first()).to.include({ role: 'admin', active: true });
  });

  it('lets only one of two admins deactivating themselves at once go through (the function locks)', async () => {
    const second = await newOfficer('admin', null);
    const first = await idOf('admin');
    const t1 = await d.db.transaction();
    try {
      await t1.raw('select * from loanflow_change_user(?, ?, null, false, null, false, null, null)', [first, first]);
      // The second waits for the first to finish (its lock), then finds no other active admin.
      const secondTry = failure(d.db.raw('select * from loanflow_change_user(?, ?, null, false, null, false, null, null)', [second.id, second.id]));
      for (;;) {
        const { rows } = await d.admin.raw(`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`);
        if (rows[0].n > 0) break;
      }
      await t1.commit();
      const err = await secondTry;
      expect(err?.code, err?.message).to.equal('LU001');
    } finally {
      if (!t1.isCompleted()) await t1.rollback();
    }
    expect(await d.db('users').where({ id: second.id }).first()).to.include({ active: true, role: 'admin' });
    // The remaining admin brings the first back.
    await d.db.raw('select * from loanflow_change_user(?, ?, null, false, null, true, null, null)', [second.id, first]);
    expect((await d.db('users').where({ id: first }).first()).active).to.equal(true);
  });
});
