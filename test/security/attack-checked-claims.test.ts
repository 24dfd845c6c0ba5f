import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { accountBalance, accountCode, allocateBudget, reverseEntry } from '../../db/ledger';
import { adminOf } from '../support/env';
import { openFund } from '../support/funds';
import { Money } from '../../domain/money';
import { fixedClock } from '../../usecases/clock';
import { programmeClaimSteps } from '../../usecases/programme-claim-steps';
import { programmeClaimWorkflowId, type Actor, type ProgrammeClaimInput } from '../../workflows/definitions';
import { useOwnDatabase } from './own-database';

/**
 * A programme claim between its check and its payment, as the hostile application role: the
 * checker vouched for one class of one institution, or one event of one enterprise at the policy's
 * amount; the approver then pays what the row says. "A training claim's amount changes only while
 * it is FILED" (programme_claim_status_guard) — but a reward's amount, and either claim's payee,
 * event and payment references, still change after the check. Demo-seeded: a paid high-tech reward
 * of a demo enterprise, and a paid training class.
 */
describe('attack: a checked programme claim rewritten before it is paid, as the application role', function () {
  let db: Knex;
  const actor = async (username: string): Promise<Actor> => {
    const u = await db('users').where({ username }).first();
    return { userId: u.id, username, role: u.role, orgId: u.org_id };
  };
  const refused = (p: Promise<unknown>) => p.then(() => 'allowed', () => 'refused');
  const steps = (today: string) => programmeClaimSteps({ db, clock: fixedClock(`${today}T04:00:00Z`) });

  useOwnDatabase('attack_checked_claims', (d) => (db = d));

  it('a checked reward raised from the policy’s amount by one UPDATE is not paid at the raised amount', async () => {
    const paid = await db('incubator_reward_claims').where({ status: 'PAID', kind: 'high_tech' }).first();
    const today = paid.paid_on as string;
    const s = steps(today);
    const input: ProgrammeClaimInput = {
      programme: 'incubator_rewards',
      claimId: randomUUID(),
      filing: { programme: 'incubator_rewards', reward: { enterpriseId: paid.enterprise_id, kind: 'listing', exchange: 'regional', documentNo: 'EX-2026-17', eventOn: today } },
      meta: { actor: await actor('fin-officer'), requestId: 'attack' },
    };
    const filed = await s.fileProgrammeClaim({ input, workflowId: programmeClaimWorkflowId('incubator_rewards', input.claimId), filedOn: today });
    expect(filed.ok, JSON.stringify(filed)).to.equal(true);
    const decision = async (username: string) => ({ programme: input.programme, claimId: input.claimId, actor: await actor(username), requestId: 'attack', clientRequestId: null, today });
    await s.checkProgrammeClaim({ ...(await decision('fin-officer')), decision: 'accept' });
    const checked = await db('incubator_reward_claims').where({ id: input.claimId }).first('status', 'amount_each');
    expect(checked.status).to.equal('CHECKED');

    const expense = async () => new Money((await accountBalance(db, accountCode.program('incubator_reward_expense'))).balance);
    const before = await expense();
    const raise = await refused(db('incubator_reward_claims').where({ id: input.claimId }).update({ amount_each: new Money(checked.amount_each).plus(50000).toFixed(2) }));
    await s.approveProgrammeClaim({ ...(await decision('fin-approver')), decision: 'approve', attempt: 1 });
    const paidNow = (await expense()).minus(before).toFixed(2);

    expect({ raise, paidNow }).to.deep.equal({ raise: 'refused', paidNow: new Money(checked.amount_each).times(2).toFixed(2) });
  });

  it('a checked claim keeps the institution, class, enterprise, event and payment references it was checked with', async () => {
    const training = await db('training_claims').where({ status: 'PAID', part: 'base' }).first();
    const reward = await db('incubator_reward_claims').where({ status: 'PAID' }).first();
    const [other] = await db('organisations').insert({ type: 'training_institution', name: `Attack institution ${randomUUID().slice(0, 8)}`, region: 'Changchun' }).returning('id');
    const labour = await actor('labour');
    const officer = await actor('fin-officer');
    // A checked claim of each, as the application writes them: filed, then checked.
    const t = randomUUID();
    await db('training_claims').insert({
      // No lines: checked at what they sum to (training_claims_amount).
      ...training, id: t, workflow_id: `training-claim-${t}`, class_ref: `ATTACK-${t.slice(0, 8)}`, status: 'FILED', checker_role: 'labour_officer', amount: '0.00',
      checked_by: null, check_decision: null, check_reason: null, decided_by: null, decision_reason: null, fund_id: null, paid_on: null, payout_entry_id: null,
    });
    await db('training_claims').where({ id: t }).update({ status: 'CHECKED', checked_by: labour.userId, check_decision: 'accept' });
    const r = randomUUID();
    const { operator_payment_ref: _o, enterprise_payment_ref: _e, ...rewardRow } = reward;
    await db('incubator_reward_claims').insert({
      ...rewardRow, id: r, workflow_id: `incubator-reward-${r}`, kind: 'neeq_transfer', exchange: 'neeq', status: 'FILED',
      checked_by: null, check_decision: null, check_reason: null, decided_by: null, decision_reason: null, fund_id: null, paid_on: null, operator_entry_id: null, enterprise_entry_id: null,
    });
    await db('incubator_reward_claims').where({ id: r }).update({ status: 'CHECKED', checked_by: officer.userId });
    const otherEnterprise = await db('incubated_enterprises').whereNot({ id: reward.enterprise_id }).first('id', 'incubator_id');

    const changes: Array<[string, string, Record<string, unknown>]> = [
      ['training_claims', t, { institution_id: other.id }],
      ['training_claims', t, { class_ref: 'ANOTHER-CLASS' }],
      ['training_claims', t, { enrolled: 9999 }],
      ['incubator_reward_claims', r, { enterprise_id: otherEnterprise?.id ?? reward.enterprise_id, incubator_id: otherEnterprise?.incubator_id ?? reward.incubator_id }],
      ['incubator_reward_claims', r, { event_on: '2020-01-01' }],
      ['incubator_reward_claims', r, { operator_payment_ref: randomUUID() }],
    ];
    const outcome: Record<string, string> = {};
    for (const [table, id, change] of changes) outcome[`${table}.${Object.keys(change)[0]}`] = await refused(db(table).where({ id }).update(change));
    expect(outcome).to.deep.equal(Object.fromEntries(Object.keys(outcome).map((k) => [k, 'refused'])));
  });

  it('a checked reward is not marked PAID by one payout for both payees, by pennies, or by money from outside its fund', async () => {
    const paid = await db('incubator_reward_claims').where({ status: 'PAID', kind: 'high_tech' }).first();
    const today = paid.paid_on as string;
    const s = steps(today);
    const decision = async (claimId: string, username: string) => ({ programme: 'incubator_rewards' as const, claimId, actor: await actor(username), requestId: 'attack', clientRequestId: null, today });
    /** A reward filed and checked as the application does it: the claim the attacker then marks PAID. */
    // Events not claimed yet: each enterprise's listing, NEEQ transfer or high-tech recognition is paid once.
    const events = (await db('incubated_enterprises').select('id')).flatMap((e) => [
      { enterpriseId: e.id as string, kind: 'listing' as const, exchange: 'regional' as const },
      { enterpriseId: e.id as string, kind: 'neeq_transfer' as const, exchange: 'neeq' as const },
      { enterpriseId: e.id as string, kind: 'high_tech' as const, exchange: null },
    ]);
    const checkedReward = async (documentNo: string) => {
      for (;;) {
        const event = events.shift();
        expect(event, 'an event of a demo enterprise not claimed yet').to.not.equal(undefined);
        const input: ProgrammeClaimInput = {
          programme: 'incubator_rewards',
          claimId: randomUUID(),
          filing: { programme: 'incubator_rewards', reward: { ...event!, documentNo, eventOn: today } },
          meta: { actor: await actor('fin-officer'), requestId: 'attack' },
        };
        const filed = await s.fileProgrammeClaim({ input, workflowId: programmeClaimWorkflowId('incubator_rewards', input.claimId), filedOn: today });
        if (!filed.ok) continue;
        await s.checkProgrammeClaim({ ...(await decision(input.claimId, 'fin-officer')), decision: 'accept' });
        const claim = await db('incubator_reward_claims').where({ id: input.claimId }).first();
        expect(claim.status).to.equal('CHECKED');
        return { id: input.claimId, each: new Money(claim.amount_each).toFixed(2) };
      }
    };
    const fundId = paid.fund_id as string;
    const bureau = (await db('funds').where({ id: fundId }).first('finance_bureau_org_id')).finance_bureau_org_id as string;
    const expense = accountCode.program('incubator_reward_expense');
    const reserved = accountCode.fund(fundId, 'reserved');
    const available = accountCode.fund(fundId, 'available');

    /**
     * One entry of the attacker's for the claim, posted as the application posts a reward: Dr expense / Cr `from` (after a
     * reservation when from the fund). Its id, or the refusal's SQLSTATE.
     */
    const payout = async (claimId: string, payee: string, amount: string, from: string): Promise<number | string> => {
      const key = `attack:${randomUUID()}`;
      const meta = JSON.stringify({ claimId, programme: 'incubator_rewards', payee, fundId });
      const reserve = from === reserved;
      return db
        .raw(
          `select posted_id from ledger_post_batch(?::text[], ?::date[], ?::text[], ?::text[], ?::jsonb[], ?::bigint[], ?::integer[], ?::integer[], ?::text[], ?::text[], ?::numeric[]) order by ord`,
          (reserve
            ? [[`${key}:r`, key], [today, today], ['fund.reservation', 'incubator.reward'], ['', ''], ['{}', meta], [null, null], [1, 1, 2, 2], [1, 2, 1, 2],
               [reserved, available, expense, reserved], ['debit', 'credit', 'debit', 'credit'], [amount, amount, amount, amount]]
            : [[key], [today], ['incubator.reward'], [''], [meta], [null], [1, 1], [1, 2], [expense, from], ['debit', 'credit'], [amount, amount]]) as unknown as string[],
        )
        .then(({ rows }) => Number(rows[rows.length - 1].posted_id), (e: { code?: string }) => e.code ?? String(e));
    };
    const approver = await actor('fin-approver');
    const markPaid = (claimId: string, operator: number | string, enterprise: number | string) =>
      refused(
        db('incubator_reward_claims')
          .where({ id: claimId })
          .update({ status: 'PAID', decided_by: approver.userId, fund_id: fundId, paid_on: today, operator_entry_id: operator, enterprise_entry_id: enterprise }),
      );

    // One claim for every attack: a refused one leaves it CHECKED; one let through would make it PAID,
    // final, and the attacks after it (and the payment below) would not go as expected. The attacker
    // names the approver first, as the approval does before it pays: the ledger then holds each payout
    // to the claim's amount and payee (docs/ledger.md), and the claim's row to payouts made for it.
    const c = await checkedReward('EX-2026-18');
    await db('incubator_reward_claims').where({ id: c.id }).update({ decided_by: approver.userId });
    const one = await payout(c.id, 'operator', c.each, reserved);
    expect(one, 'the operator’s payout, as the approval posts it').to.be.a('number');
    const pennies = [await payout(c.id, 'operator', '0.01', reserved), await payout(c.id, 'enterprise', '0.01', reserved)];
    const outcome = {
      oneForBoth: await markPaid(c.id, one, one),
      pennies,
      notFromTheFund: await markPaid(c.id, await payout(c.id, 'operator', c.each, accountCode.treasury(bureau)), await payout(c.id, 'enterprise', c.each, accountCode.treasury(bureau))),
    };
    expect(outcome).to.deep.equal({ oneForBoth: 'refused', pennies: ['LF013', 'LF013'], notFromTheFund: 'refused' });

    // The approver's payment, two entries of the claim's amount each from its fund, still marks it PAID
    // once the attacker's payout to the operator is reversed (while it stands, the ledger refuses a
    // second one) and the owner has topped the fund up by what the attacker's entries spent.
    await reverseEntry(db, { entryId: one as number, idempotencyKey: `attack:undo:${c.id}`, postedOn: today });
    await allocateBudget(adminOf(db), { fundId, amount: new Money(c.each).times(4).toFixed(2), postedOn: today, idempotencyKey: `attack:topup:${c.id}` });
    await s.approveProgrammeClaim({ ...(await decision(c.id, 'fin-approver')), decision: 'approve', attempt: 1 });
    expect((await db('incubator_reward_claims').where({ id: c.id }).first('status')).status).to.equal('PAID');
  });

  /** Approvers an attack names: one retired from the bureau, one of another bureau (made here). */
  async function otherApprovers(bureau: string | null) {
    const owner = adminOf(db);
    const [retired] = await owner('users').insert({ username: `retired-approver-${randomUUID()}`, password_hash: 'x', role: 'finance_approver', org_id: bureau, active: false }).returning('id');
    const [elsewhere] = await owner('organisations').insert({ type: 'finance_bureau', name: `Attack bureau ${randomUUID().slice(0, 8)}`, region: 'Jilin' }).returning('id');
    const [outsider] = await owner('users').insert({ username: `outside-approver-${randomUUID()}`, password_hash: 'x', role: 'finance_approver', org_id: elsewhere.id }).returning('id');
    return { retired, elsewhere, outsider };
  }

  it('a reward is checked by an active finance officer and decided by an active finance approver of the paying fund’s bureau, each at their step', async () => {
    const paid = await db('incubator_reward_claims').where({ status: 'PAID', kind: 'high_tech' }).first();
    const today = paid.paid_on as string;
    const s = steps(today);
    const officer = await actor('fin-officer');
    const approver = await actor('fin-approver');
    const bank = await actor('bank-a');
    const owner = adminOf(db);
    const { retired, elsewhere, outsider } = await otherApprovers(approver.orgId);
    const otherFund = await openFund(db, { bureauId: elsewhere.id, year: Number(today.slice(0, 4)), programme: 'incubator_rewards' });
    const ourFund = paid.fund_id as string;
    // Filed as the application files it, for an event of a demo enterprise not claimed yet.
    const filed = async () => {
      for (const e of await db('incubated_enterprises').select('id')) {
        for (const event of [{ kind: 'high_tech' as const, exchange: null }, { kind: 'listing' as const, exchange: 'neeq' as const }, { kind: 'neeq_transfer' as const, exchange: 'neeq' as const }]) {
          const input: ProgrammeClaimInput = {
            programme: 'incubator_rewards',
            claimId: randomUUID(),
            filing: { programme: 'incubator_rewards', reward: { enterpriseId: e.id, ...event, documentNo: 'EX-2026-19', eventOn: today } },
            meta: { actor: officer, requestId: 'attack' },
          };
          const out = await s.fileProgrammeClaim({ input, workflowId: programmeClaimWorkflowId('incubator_rewards', input.claimId), filedOn: today });
          if (out.ok) return input.claimId;
        }
      }
      throw new Error('no event of a demo enterprise is left to claim');
    };
    const code = (q: Promise<unknown>) => q.then(() => 'allowed', (e: { code?: string }) => e.code ?? 'error');
    const claims = () => db('incubator_reward_claims');
    const a = await filed();
    const outcome = {
      checkedByTheBank: await code(claims().where({ id: a }).update({ status: 'CHECKED', checked_by: bank.userId })),
      checkedByAnApprover: await code(claims().where({ id: a }).update({ status: 'CHECKED', checked_by: approver.userId })),
      refusedByTheBank: await code(claims().where({ id: a }).update({ status: 'REFUSED', checked_by: bank.userId })),
      decidedBeforeTheCheck: await code(claims().where({ id: a }).update({ decided_by: approver.userId })),
      checked: await code(claims().where({ id: a }).update({ status: 'CHECKED', checked_by: officer.userId })),
      checkerRewritten: await code(claims().where({ id: a }).update({ checked_by: approver.userId })),
      decidedByTheBank: await code(claims().where({ id: a }).update({ decided_by: bank.userId })),
      decidedByARetiredApprover: await code(claims().where({ id: a }).update({ decided_by: retired.id })),
      decidedByTheChecker: await code(claims().where({ id: a }).update({ decided_by: officer.userId })),
      decidedByAnotherBureau: await code(claims().where({ id: a }).update({ decided_by: outsider.id, status: 'PENDING_BUDGET', fund_id: ourFund })),
      decided: await code(claims().where({ id: a }).update({ decided_by: approver.userId })),
      paidFromAnotherBureau: await code(claims().where({ id: a }).update({ status: 'PENDING_BUDGET', fund_id: otherFund.id })),
      rejectedByTheBank: await code(claims().where({ id: a }).update({ status: 'REJECTED', decided_by: bank.userId })),
    };
    expect(outcome).to.deep.equal({
      checkedByTheBank: '42501', checkedByAnApprover: '42501', refusedByTheBank: '42501', decidedBeforeTheCheck: '42501', checked: 'allowed',
      checkerRewritten: '42501', decidedByTheBank: '42501', decidedByARetiredApprover: '42501', decidedByTheChecker: '42501', decidedByAnotherBureau: '42501',
      decided: 'allowed', paidFromAnotherBureau: '42501', rejectedByTheBank: '42501',
    });
  });

  it('a reward is inserted at its policy’s amount for its kind of event: one raised by the application role is refused', async () => {
    const paid = await db('incubator_reward_claims').where({ status: 'PAID', kind: 'high_tech' }).first();
    const policy = await db('policies').where({ id: paid.policy_id }).first('params');
    const amount = new Money(policy.params.incubatorRewards.high_tech.amountEach);
    // An enterprise of the claim's incubator with no reward claimed yet, registered as the registry registers one.
    const [free] = await adminOf(db)('incubated_enterprises')
      .insert({ incubator_id: paid.incubator_id, name: `Attack enterprise ${randomUUID().slice(0, 8)}`, credit_code: `91${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`, entered_on: '2026-01-01', registered_by: paid.filed_by })
      .returning(['id', 'incubator_id']);
    const { operator_payment_ref: _o, enterprise_payment_ref: _e, ...rewardRow } = paid;
    const row = (amountEach: string) => {
      const id = randomUUID();
      return {
        ...rewardRow, id, workflow_id: `incubator-reward-${id}`, enterprise_id: free.id, incubator_id: free.incubator_id, status: 'FILED', amount_each: amountEach,
        checked_by: null, check_decision: null, check_reason: null, decided_by: null, decision_reason: null, fund_id: null, paid_on: null, operator_entry_id: null, enterprise_entry_id: null,
      };
    };
    const code = (q: Promise<unknown>) => q.then(() => 'allowed', (e: { code?: string }) => e.code ?? 'error');
    const outcome = {
      raised: await code(db('incubator_reward_claims').insert(row(amount.plus(50000).toFixed(2)))),
      lowered: await code(db('incubator_reward_claims').insert(row(amount.minus('0.01').toFixed(2)))),
      asThePolicySays: await code(db('incubator_reward_claims').insert(row(amount.toFixed(2)))),
    };
    expect(outcome).to.deep.equal({ raised: '42501', lowered: '42501', asThePolicySays: 'allowed' });
  });

  it('a training claim is checked only at the amount its live lines sum to: one raised while filed is refused at the check', async () => {
    const training = await db('training_claims').where({ status: 'PAID', part: 'base' }).first();
    const line = await db('training_claim_lines').where({ claim_id: training.id, live: true }).first();
    const labour = await actor('labour');
    const t = randomUUID();
    await db('training_claims').insert({
      ...training, id: t, workflow_id: `training-claim-${t}`, class_ref: `ATTACK-${t.slice(0, 8)}`, status: 'FILED', checker_role: 'labour_officer', amount: line.amount,
      checked_by: null, check_decision: null, check_reason: null, decided_by: null, decision_reason: null, fund_id: null, paid_on: null, payout_entry_id: null,
    });
    await db('training_claim_lines').insert({ ...line, claim_id: t, certificate_no: `ATTACK-${t}`, holder_id_number: `ATTACK-${t}`, live: true });
    const code = (q: Promise<unknown>) => q.then(() => 'allowed', (e: { code?: string }) => e.code ?? 'error');
    const claim = () => db('training_claims').where({ id: t });
    const outcome = {
      raised: await code(claim().update({ amount: new Money(line.amount).times(100).toFixed(2) })),
      checkedRaised: await code(claim().update({ status: 'CHECKED', checked_by: labour.userId, check_decision: 'accept' })),
      lowered: await code(claim().update({ amount: '0.00' })),
      checkedLowered: await code(claim().update({ status: 'CHECKED', checked_by: labour.userId, check_decision: 'accept' })),
      asTheLinesSum: await code(claim().update({ amount: line.amount })),
      checked: await code(claim().update({ status: 'CHECKED', checked_by: labour.userId, check_decision: 'accept' })),
    };
    expect(outcome).to.deep.equal({ raised: 'allowed', checkedRaised: '42501', lowered: 'allowed', checkedLowered: '42501', asTheLinesSum: 'allowed', checked: 'allowed' });
  });

  it('a training claim’s line is inserted at its policy’s rate for the claim’s part: a raised line, or a base line in an outcome claim, is refused', async () => {
    const base = await db('training_claims').where({ status: 'PAID', part: 'base' }).first();
    const line = await db('training_claim_lines').where({ claim_id: base.id, live: true }).first();
    const { trainingSubsidy: rates } = (await db('policies').where({ id: base.policy_id }).first('params')).params;
    const filed = async (part: 'base' | 'outcome') => {
      const id = randomUUID();
      await db('training_claims').insert({
        ...base, id, workflow_id: `training-claim-${id}`, class_ref: `ATTACK-${id.slice(0, 8)}`, status: 'FILED', checker_role: 'labour_officer', amount: '0.00',
        ...(part === 'outcome' ? { part, enrolled: null, base_claim_id: base.id } : {}),
        checked_by: null, check_decision: null, check_reason: null, decided_by: null, decision_reason: null, fund_id: null, paid_on: null, payout_entry_id: null,
      });
      return id;
    };
    const lineOf = (claimId: string, o: Record<string, unknown>) => {
      const n = randomUUID();
      return { ...line, claim_id: claimId, certificate_no: `ATTACK-${n}`, holder_id_number: `ATTACK-${n}`, live: true, ...o };
    };
    const code = (q: Promise<unknown>) => q.then(() => 'allowed', (e: { code?: string }) => e.code ?? 'error');
    const b = await filed('base');
    const o = await filed('outcome');
    const outcome = {
      raised: await code(db('training_claim_lines').insert(lineOf(b, { amount: new Money(rates.basePerPassed).plus(1).toFixed(2) }))),
      baseLineInAnOutcomeClaim: await code(db('training_claim_lines').insert(lineOf(o, { amount: rates.basePerPassed }))),
      outcomeAtTheBaseRate: await code(db('training_claim_lines').insert(lineOf(o, { part: 'outcome', started_on: line.issued_on, amount: rates.basePerPassed }))),
      atTheRate: await code(db('training_claim_lines').insert(lineOf(b, { amount: rates.basePerPassed }))),
      outcomeAtItsRate: await code(db('training_claim_lines').insert(lineOf(o, { part: 'outcome', started_on: line.issued_on, amount: rates.outcomePerStarted }))),
    };
    expect(outcome).to.deep.equal({ raised: '42501', baseLineInAnOutcomeClaim: '42501', outcomeAtTheBaseRate: '42501', atTheRate: 'allowed', outcomeAtItsRate: 'allowed' });
  });

  it('a training claim is decided, once checked, by an active finance approver, and paid from a fund of that approver’s bureau', async () => {
    const base = await db('training_claims').where({ status: 'PAID', part: 'base' }).first();
    const labour = await actor('labour');
    const approver = await actor('fin-approver');
    const owner = adminOf(db);
    const { retired, elsewhere, outsider } = await otherApprovers(approver.orgId);
    const year = Number((base.paid_on as string).slice(0, 4));
    const otherFund = await openFund(db, { bureauId: elsewhere.id, year, programme: 'training_subsidy' });
    const t = randomUUID();
    // No lines: checked at what they sum to (training_claims_amount).
    await db('training_claims').insert({
      ...base, id: t, workflow_id: `training-claim-${t}`, class_ref: `ATTACK-${t.slice(0, 8)}`, status: 'FILED', checker_role: 'labour_officer', amount: '0.00',
      checked_by: null, check_decision: null, check_reason: null, decided_by: null, decision_reason: null, fund_id: null, paid_on: null, payout_entry_id: null,
    });
    const code = (q: Promise<unknown>) => q.then(() => 'allowed', (e: { code?: string }) => e.code ?? 'error');
    const claim = () => db('training_claims').where({ id: t });
    const outcome = {
      decidedBeforeTheCheck: await code(claim().update({ decided_by: approver.userId })),
      checked: await code(claim().update({ status: 'CHECKED', checked_by: labour.userId, check_decision: 'accept' })),
      decidedByARetiredApprover: await code(claim().update({ decided_by: retired.id })),
      decidedByAnotherBureau: await code(claim().update({ decided_by: outsider.id, status: 'PENDING_BUDGET', fund_id: base.fund_id })),
      decided: await code(claim().update({ decided_by: approver.userId })),
      paidFromAnotherBureau: await code(claim().update({ status: 'PENDING_BUDGET', fund_id: otherFund.id })),
    };
    expect(outcome).to.deep.equal({
      decidedBeforeTheCheck: '42501', checked: 'allowed', decidedByARetiredApprover: '42501', decidedByAnotherBureau: '42501', decided: 'allowed', paidFromAnotherBureau: '42501',
    });
  });
});
