import { expect } from 'chai';
import type { Knex } from 'knex';
import type { ApiHarness } from '../support/api';
import { financeSuite, paidClaim, csv, rejection, type People } from './helpers';
import { PeriodClosedError } from '../../db/ledger';
import { importStatement } from '../../db/reconciliation';
import { closeQuarter } from '../../usecases/periods';
import { businessDateOf } from '../../domain/business-day';
import { quarterOf } from '../../domain/dates';

const HEADER = 'date,reference,amount,description';

describe('finance: closing and reopening a quarter', function () {
  const suite = financeSuite('periods', { api: true });
  let db: Knex, h: ApiHarness, p: People, approver: string, officer: string;

  before(async function () {
    ({ db, h, p } = suite);
    approver = await h.login('fin-approver');
    officer = await h.login('fin-officer');
  });

  const close = (quarter: string, token = approver) => h.call('POST', `/v1/periods/${quarter}/close`, { token, body: {} });
  const reopen = (quarter: string, reason?: string, token = approver) => h.call('POST', `/v1/periods/${quarter}/reopen`, { token, body: reason === undefined ? {} : { reason } });
  const reconcile = (bankId: string, quarter: string, lines: string[]) =>
    importStatement(db, { bankId, quarter, fileName: 's.csv', open: csv([HEADER, ...lines]), actor: p.officer, today: businessDateOf(new Date()) });
  const resolveAll = async (id: string) => {
    const open = await h.call('GET', `/v1/reconciliations/${id}/mismatches?unresolved=true`, { token: officer });
    for (const m of open.body.items) {
      const r = await h.call('POST', `/v1/reconciliations/${id}/mismatches/${m.itemNo}/resolution`, { token: officer, body: { resolution: 'explanation', reason: `checked with the bank: ${m.kind}` } });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
    }
  };

  it('closes an ended quarter without payouts; refuses the officer, a quarter that has not ended, and a second close', async function () {
    expect((await close('2025Q1', officer)).status).to.equal(403);
    const current = quarterOf(businessDateOf(new Date()));
    const early = await close(current);
    expect(early.status).to.equal(409);
    expect(early.body.error.details[0]).to.include({ path: 'quarter' });
    expect(early.body.error.details[0].message).to.match(/has not ended/);

    const ok = await close('2025Q1');
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body).to.include({ quarter: '2025Q1', status: 'closed', closedBy: 'fin-approver' });
    expect(ok.body.history.map((e: any) => [e.action, e.by])).to.deep.equal([['close', 'fin-approver']]);
    const again = await close('2025Q1');
    expect(again.status).to.equal(409);
    expect(again.body.error.message).to.equal('2025Q1 is closed already');
  });

  it('closes only when every payout of the quarter is reconciled and every mismatch resolved', async function () {
    const a1 = await paidClaim(db, p, { bankId: p.bankA, amount: '500.00', paidOn: '2025-04-10' });
    await paidClaim(db, p, { bankId: p.bankA, amount: '250.00', paidOn: '2025-05-10' }); // never on the statement
    const b1 = await paidClaim(db, p, { bankId: p.bankB, amount: '75.25', paidOn: '2025-06-10' });

    let r = await close('2025Q2');
    expect(r.status).to.equal(409);
    const paths = (x: any) => x.body.error.details.map((d: any) => d.path);
    expect(paths(r)).to.deep.equal([`banks/${p.bankA}`, `banks/${p.bankB}`]);
    expect(r.body.error.details[0].message).to.equal('Changchun Rural Commercial Bank: 2 payout(s) in 2025Q2 and no statement reconciled; import its statement');
    expect((await db('accounting_periods').where({ quarter: '2025Q2' }).first())?.status ?? 'open').to.equal('open');

    const recA = await reconcile(p.bankA, '2025Q2', [`2025-04-10,${a1.claimId},500.00,`]);
    const recB = await reconcile(p.bankB, '2025Q2', [`2025-06-10,${b1.claimId},75.25,`]);
    r = await close('2025Q2');
    expect(paths(r)).to.deep.equal([`reconciliations/${recA.id}/mismatches/1`]);
    expect(r.body.error.details[0].message).to.equal('unresolved missing_in_statement: explain it or reverse the payout');

    // A payout posted after the bank's reconciliation must be seen by a new one.
    const b2 = await paidClaim(db, p, { bankId: p.bankB, amount: '10.00', paidOn: '2025-06-20' });
    await resolveAll(recA.id);
    r = await close('2025Q2');
    expect(paths(r)).to.deep.equal([`reconciliations/${recB.id}`]);
    expect(r.body.error.details[0].message).to.equal(`payout entry ${b2.entryId} (claim ${b2.claimId}, 2025-06-20) was posted after this reconciliation: import the statement again`);

    await reconcile(p.bankB, '2025Q2', [`2025-06-10,${b1.claimId},75.25,`, `2025-06-21,${b2.claimId},10.00,`]);
    const status = await h.call('GET', '/v1/periods/2025Q2', { token: await h.login('auditor') });
    expect(status.body).to.include({ status: 'open' });
    expect(status.body.blockers).to.deep.equal([]);
    r = await close('2025Q2');
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.status).to.equal('closed');
  });

  it('keeps a closed quarter immutable: no posting, no import, no resolution', async function () {
    // The ledger refuses, at the database, any posting dated in the closed quarter.
    expect(await rejection(paidClaim(db, p, { bankId: p.bankA, amount: '1.00', paidOn: '2025-05-01' }))).to.be.instanceOf(PeriodClosedError);
    expect((await rejection(reconcile(p.bankA, '2025Q2', ['2025-05-01,X,1.00,']))).message).to.equal('quarter 2025Q2 is closed: reopen it before importing a statement');
    // Underneath the rule functions, the tables refuse too.
    const [rec] = await db('reconciliations').where({ quarter: '2025Q2' }).orderBy('seq');
    const dbRefusal = await rejection(
      db('reconciliations').insert({ id: '00000000-0000-4000-8000-000000000001', bank_id: p.bankA, quarter: '2025Q2', source_format: 'csv', file_name: 'x', file_sha256: '0'.repeat(64), status: 'importing', imported_by: p.officer.userId }),
    );
    expect(dbRefusal.message).to.match(/quarter 2025Q2 is closed/);
    const resolve = await h.call('POST', `/v1/reconciliations/${rec.id}/mismatches/1/resolution`, { token: officer, body: { resolution: 'explanation', reason: 'too late' } });
    expect(resolve.status).to.equal(409);
  });

  it('reopens maker–checker: one person asks with a reason, another, a finance approver, approves; all audited', async function () {
    const noReason = await reopen('2025Q2', undefined, officer);
    expect(noReason.status).to.equal(400);
    expect(noReason.body.error.details[0].path).to.equal('reason');
    expect((await reopen('2025Q1x', 'typo', officer)).status).to.equal(400);

    const asked = await reopen('2025Q2', 'the bank corrected its statement of May', officer);
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    expect(asked.body.status, 'still closed until approved').to.equal('closed');
    const request = asked.body.reopenRequests[0];
    expect(request).to.include({ kind: 'period_reopen', quarter: '2025Q2', status: 'pending', proposedBy: 'fin-officer', reason: 'the bank corrected its statement of May' });
    expect((await reopen('2025Q2', 'asked twice', approver)).status, 'one request waits at a time').to.equal(409);

    const decide = (token: string, body: object, id = request.id) => h.call('POST', `/v1/periods/2025Q2/reopen-requests/${id}/decision`, { token, body });
    expect((await decide(officer, { decision: 'approve' })).status, 'an officer does not approve').to.equal(403);
    expect((await decide(approver, { decision: 'reject' })).status, 'a rejection needs a reason').to.equal(400);
    expect((await decide(approver, { decision: 'approve' }, '00000000-0000-4000-8000-000000000000')).status).to.equal(404);

    const r = await decide(approver, { decision: 'approve', reason: 'checked the corrected statement' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.status).to.equal('open');
    expect(r.body.history.map((e: any) => [e.action, e.by, e.requestedBy, e.reason])).to.deep.equal([
      ['close', 'fin-approver', null, null],
      ['reopen', 'fin-approver', 'fin-officer', 'the bank corrected its statement of May'],
    ]);
    expect(r.body.reopenRequests[0]).to.include({ status: 'approved', decidedBy: 'fin-approver', decisionReason: 'checked the corrected statement' });
    expect((await decide(approver, { decision: 'approve' })).status, 'decided once').to.equal(409);
    expect((await reopen('2025Q2', 'once more', officer)).status, 'an open quarter is not reopened').to.equal(409);
    const audits = await db('audit_log').where({ entity_type: 'accounting_period', entity_id: '2025Q2' }).orderBy('id').select('action', 'actor_username', 'reason');
    expect(audits).to.deep.equal([
      { action: 'period.close', actor_username: 'fin-approver', reason: null },
      { action: 'period.reopen_request', actor_username: 'fin-officer', reason: 'the bank corrected its statement of May' },
      { action: 'period.reopen', actor_username: 'fin-approver', reason: 'the bank corrected its statement of May' },
    ]);
    // Open again: postings are accepted, and the quarter closes again once reconciled.
    await paidClaim(db, p, { bankId: p.bankA, amount: '3.00', paidOn: '2025-05-02' });
    expect((await close('2025Q2')).status).to.equal(409);
  });

  it('a single approver cannot reopen alone: asking and approving are two people, also in the database', async function () {
    expect((await close('2024Q3')).status).to.equal(200);
    const asked = await reopen('2024Q3', 'I want it open', approver);
    expect(asked.status).to.equal(201);
    const id = asked.body.reopenRequests[0].id;
    const self = await h.call('POST', `/v1/periods/2024Q3/reopen-requests/${id}/decision`, { token: approver, body: { decision: 'approve' } });
    expect(self.status).to.equal(403);
    expect(self.body.error.message).to.match(/another person/);
    // Straight to the database as the application's role: the function and the table refuse too.
    const fn = await rejection(db.raw('select period_reopen(?::uuid, ?::uuid, null, null)', [id, p.approver.userId]));
    expect(fn.message).to.match(/another person/);
    const direct = await rejection(db('finance_proposals').where({ id }).update({ status: 'approved', decided_by: p.approver.userId, decided_role: 'finance_approver' }));
    expect(direct.message).to.match(/finance_proposals_four_eyes|period_reopen/);
    const plain = await rejection(db('accounting_periods').where({ quarter: '2024Q3' }).update({ status: 'open', closed_at: null }));
    expect((plain as { code?: string }).code).to.equal('42501');
    expect((await h.call('GET', '/v1/periods/2024Q3', { token: approver })).body.status).to.equal('closed');
    const rejected = await h.call('POST', `/v1/periods/2024Q3/reopen-requests/${id}/decision`, { token: approver, body: { decision: 'approve' } });
    expect(rejected.status).to.equal(403);
  });

  it('lets the CLI and the API share the rule: a finance officer cannot close through the functions either', async function () {
    const e = await rejection(closeQuarter({ db }, { quarter: '2024Q4', actor: p.officer, today: businessDateOf(new Date()) }));
    expect(e.message).to.equal('closing a quarter needs the finance approver (role finance_officer)');
  });
});
