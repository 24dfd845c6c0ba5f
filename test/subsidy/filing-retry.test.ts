import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { adminOf, type TestEnv } from '../support/env';
import { closeSuite, openApiSuite, openPrivateSuite, type ApiHarness, type DemoOrgs } from '../support/api';
import { businessDateOf } from '../../domain/business-day';
import { addDays } from '../../domain/dates';
import { idOfRequest } from '../../usecases/deps';
import { programmeClaimWorkflowId } from '../../workflows/definitions';
import { loanPaidThrough, login, newOrg, skipPastQuarter } from './helpers';

/** What a server fault after the workflow started leaves: the key without its reply, its lease given up. */
async function faultAfterStart(db: Knex, key: string): Promise<void> {
  await adminOf(db).transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    await trx('idempotency_keys').where({ key }).update({ status_code: null, response: null, completed_at: null, lease_until: trx.raw(`now() - interval '1 second'`) });
  });
}

/**
 * A filing retried under its Idempotency-Key after a server fault (the key kept, no reply stored)
 * finds its first attempt: the same claim, filed once, not 409 "already in progress" nor a second
 * claim (docs/architecture.md, "Idempotency").
 */
describe('claim filings retried after a server fault', function () {
  describe('interest-subsidy claims (time-skipping server)', function () {
    let env: TestEnv, skipping: TestWorkflowEnvironment, h: ApiHarness, orgs: DemoOrgs;
    before(async () => ({ env, skipping, h, orgs } = await openApiSuite({ timeSkipping: true })));
    after(async () => h?.close());

    it('answers the retry with the claim the first attempt filed', async function () {
      const bank = await newOrg(h, env.db, 'bank', ['bank_officer']);
      const token = await login(h, bank.users.bank_officer!);
      const opened = await loanPaidThrough(h, skipping, orgs, bank.users.bank_officer!, { termMonths: 6 });
      const quarter = opened.periods[0].quarter as string;
      await skipPastQuarter(skipping, quarter);
      const key = `claim-fault-${bank.orgId}`;
      const file = () => h.call('POST', '/v1/subsidy-claims', { token, body: { quarter }, headers: { 'Idempotency-Key': key } });
      const first = await file();
      expect(first.status, JSON.stringify(first.body)).to.equal(201);
      await faultAfterStart(env.db, key);
      const retried = await file();
      expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
      expect(retried.body).to.include({ id: first.body.id, status: 'SUBMITTED', total: first.body.total });
      expect(await env.db('subsidy_claims').where({ bank_id: bank.orgId }).pluck('id')).to.deep.equal([first.body.id]);
      const filed = await env.db('audit_log').where({ entity_type: 'subsidy_claim', entity_id: first.body.id, action: 'subsidy_claim.file' });
      expect(filed).to.have.length(1);
      // Without the key, a second filing of the quarter is still refused while the first is in progress.
      const twice = await h.call('POST', '/v1/subsidy-claims', { token, body: { quarter } });
      expect(twice.status, JSON.stringify(twice.body)).to.equal(409);
    });
  });

  describe('incubator rewards', function () {
    let db: Knex, h: ApiHarness;
    before(async function () {
      this.timeout(120_000);
      ({ db, h } = await openPrivateSuite('filing_retry'));
    });
    after(() => closeSuite({ h, db }));

    it('answers the retry with the reward claim the first attempt filed', async function () {
      const officer = await h.login('fin-officer');
      const code = () => `91220101${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
      const inc = await h.call('POST', '/v1/incubators', { token: officer, body: { name: '长春创业孵化基地 retry', operatorName: '长春创业服务有限公司', operatorCreditCode: code(), region: 'Changchun' } });
      expect(inc.status, JSON.stringify(inc.body)).to.equal(201);
      const today = businessDateOf(new Date());
      const ent = await h.call('POST', `/v1/incubators/${inc.body.id}/enterprises`, { token: officer, body: { name: 'Resident Tech', creditCode: code(), enteredOn: addDays(today, -200) } });
      expect(ent.status, JSON.stringify(ent.body)).to.equal(201);
      const key = `reward-fault-${ent.body.id}`;
      const file = () => h.call('POST', '/v1/incubator-rewards', { token: officer, body: { enterpriseId: ent.body.id, kind: 'high_tech', documentNo: 'GR-2026-1', eventOn: addDays(today, -30) }, headers: { 'Idempotency-Key': key } });
      const first = await file();
      expect(first.status, JSON.stringify(first.body)).to.equal(201);
      await faultAfterStart(db, key);
      const retried = await file();
      expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
      expect(retried.body).to.include({ id: first.body.id, status: 'FILED' });
      expect(await db('incubator_reward_claims').where({ enterprise_id: ent.body.id }).pluck('id')).to.deep.equal([first.body.id]);
    });

    it('answers a retry of a refused filing with the refusal the first attempt gave: its status, code and fields', async function () {
      const officer = await h.login('fin-officer');
      const key = `reward-refused-${randomUUID()}`;
      // No such enterprise: the workflow's filing refuses it (404 naming enterpriseId), and the workflow ends.
      const body = { enterpriseId: randomUUID(), kind: 'high_tech', documentNo: 'GR-2026-2', eventOn: addDays(businessDateOf(new Date()), -30) };
      const file = () => h.call('POST', '/v1/incubator-rewards', { token: officer, body, headers: { 'Idempotency-Key': key } });
      const first = await file();
      expect(first.status, JSON.stringify(first.body)).to.equal(404);
      expect(first.body.error.code).to.equal('NOT_FOUND');
      expect(first.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['enterpriseId']);
      // The retry finds the workflow ended, not still answering its filing update.
      const use = await db('idempotency_keys').where({ key }).first('user_id', db.raw(`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as since`));
      const claimId = idOfRequest('incubator_rewards-claim', use.user_id, { key, since: use.since });
      expect((await h.temporal.client.workflow.getHandle(programmeClaimWorkflowId('incubator_rewards', claimId)).result()).status).to.equal('REFUSED');
      await faultAfterStart(db, key);
      const retried = await file();
      expect(retried.status, JSON.stringify(retried.body)).to.equal(first.status);
      expect(retried.body.error).to.deep.include({ code: first.body.error.code, message: first.body.error.message, details: first.body.error.details });
    });
  });
});
