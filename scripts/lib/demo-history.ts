import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { addDays, addMonthsClamped } from '../../domain/dates';
import { checkCharFor } from '../../domain/id-number';
import { buildSchedule } from '../../domain/schedule';
import { applyRepayment, openPeriods, outstandingPrincipal, planRepayment, type LoanPeriod, type LoanTerms } from '../../domain/repayment';
import { followUpSchedule, usccCheckChar, type OperatingStatus } from '../../domain/follow-up';
import { defaultPolicyParams } from '../../domain/policy';
import { formatMoney, toMoney } from '../../domain/money';
import { fixedClock } from '../../usecases/clock';
import { applicationSteps } from '../../usecases/application-steps';
import { loanSteps } from '../../usecases/loan-steps';
import { followUpSteps } from '../../usecases/follow-up-steps';
import type { Actor } from '../../workflows/definitions';

/**
 * What a business was found doing at its 3-, 6- and 12-month visits: the demo's history, so the
 * follow-up indicators have something to show: three of five operate at a year (one closed, one
 * moved away), 1:5 is not yet met. The last applicant is refused by the community.
 */
const BORROWERS: Array<{ name: string; community: 'community-a' | 'community-b'; bank: 'bank-a' | 'bank-b'; visits: Array<[OperatingStatus, number, boolean]>; refused?: string }> = [
  { name: 'Li Na', community: 'community-a', bank: 'bank-a', visits: [['operating', 2, false], ['operating', 4, true], ['operating', 6, true]] },
  { name: 'Wang Qiang', community: 'community-a', bank: 'bank-a', visits: [['operating', 1, false], ['operating', 3, false], ['operating', 5, true]] },
  { name: 'Zhao Min', community: 'community-a', bank: 'bank-b', visits: [['operating', 2, false], ['suspended', 1, false], ['closed', 0, false]] },
  { name: 'Chen Jie', community: 'community-b', bank: 'bank-b', visits: [['operating', 3, true], ['operating', 5, true], ['moved', 7, true]] },
  { name: 'Sun Hui', community: 'community-b', bank: 'bank-a', visits: [['operating', 1, false], ['operating', 2, false], ['operating', 3, true]] },
  { name: 'Zhou Lei', community: 'community-b', bank: 'bank-a', visits: [], refused: 'not known to the community' },
];

/**
 * A year of history for the demo, through the same use-case steps the workflows run (their clock
 * set to each day): six trainees certified, their applications decided (one refused), five loans
 * disbursed thirteen months before `today` and repaid on every due date, and each business visited
 * at 3, 6 and 12 months. The loans are repaid in full, so no workflow is left to run for them. As the schema's
 * owner, after the organisations and users exist.
 */
export async function seedDemoHistory(db: Knex, today: string): Promise<void> {
  const user = async (username: string): Promise<Actor> => {
    const u = await db('users').where({ username }).first('id', 'username', 'role', 'org_id');
    return { userId: u.id, username: u.username, role: u.role, orgId: u.org_id };
  };
  // One after another: inside the seed's transaction there is one connection.
  const trainer = await user('trainer');
  const reviewer = await user('g-reviewer');
  const approver = await user('g-approver');
  const disbursedOn = addMonthsClamped(today, -13);
  const submittedOn = addDays(disbursedOn, -20);
  const at = (day: string, hour: number) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00+08:00`);
  const steps = (clockDay: string, hour = 10) => {
    const deps = { db, clock: fixedClock(at(clockDay, hour)) };
    return { app: applicationSteps(deps), loan: loanSteps(deps), followUp: followUpSteps(deps) };
  };
  const policy = defaultPolicyParams;

  for (const [i, b] of BORROWERS.entries()) {
    const first17 = `2201021990${String(i + 1).padStart(2, '0')}${String(i + 10)}02${i}`;
    const idNumber = first17 + checkCharFor(first17);
    const username = `demo-borrower-${i + 1}`;
    const [row] = await db('users')
      .insert({ username, password_hash: (await db('users').where({ username: 'applicant' }).first('password_hash')).password_hash, role: 'applicant', id_number: idNumber, name: b.name, phone: '13800000000' })
      .returning('id');
    const applicant: Actor = { userId: row.id, username, role: 'applicant', orgId: null };
    const certificateNo = `SYB-DEMO-${String(i + 1).padStart(4, '0')}`;
    await db('certificates').insert({
      certificate_no: certificateNo, institution_id: trainer.orgId, holder_id_number: idNumber, holder_name: b.name, course: 'SYB',
      issued_on: addDays(submittedOn, -10), registered_by: trainer.userId,
    });

    const applicationId = randomUUID();
    const wf = `demo-application-${applicationId}`;
    const community = await user(b.community);
    const bank = await user(b.bank);
    const amount = ['50000.00', '60000.00', '80000.00', '100000.00', '70000.00', '50000.00'][i]!;
    const reg = await steps(submittedOn, 9).app.intake({
      key: `${wf}:0:submitted`, checkKey: `${wf}:1:intake_check`, nowMs: at(submittedOn, 9).getTime(), applicationId, applicantUserId: applicant.userId, idNumber, name: b.name, phone: '13800000000',
      targetGroup: 'unemployed', certificateNo, communityId: community.orgId!, bankId: bank.orgId, requestedAmount: amount, termMonths: 12,
      repaymentMethod: 'monthly_interest_bullet', businessPlan: 'A small shop serving the neighbourhood, run by the owner and family.', submittedOn,
      meta: { actor: applicant, requestId: randomUUID() },
    });
    if (!reg.ok) throw new Error(`demo history: ${reg.message}`);
    if (reg.violations.length) throw new Error(`demo history: ${reg.violations.map((v) => v.message).join('; ')}`);
    const decide = async (seq: number, day: string, r: Omit<Parameters<ReturnType<typeof applicationSteps>['recordStep']>[0], 'key' | 'applicationId' | 'at'>) =>
      steps(day).app.recordStep({ ...r, key: `${wf}:${seq}:${r.step}`, applicationId, at: at(day, 10 + seq).toISOString() });
    if (b.refused) {
      await decide(2, addDays(submittedOn, 3), {
        step: 'counter_guarantee', decision: 'rejected', actor: community, reason: b.refused, status: 'REJECTED',
        set: { counterGuaranteeType: 'credit_community', endReason: `counter-guarantee refused: ${b.refused}`, stepDeadline: null },
        audit: { action: 'counter_guarantee.reject', requestId: randomUUID() },
      });
      continue;
    }
    await decide(2, addDays(submittedOn, 3), {
      step: 'counter_guarantee', decision: 'approved', actor: community, reason: 'known to the community', status: 'AWAITING_GUARANTEE_REVIEW',
      set: { counterGuaranteeType: i === 4 ? 'guarantor' : 'credit_community' }, audit: { action: 'counter_guarantee.approve', requestId: randomUUID() },
    });
    await decide(3, addDays(submittedOn, 8), {
      step: 'guarantee_review', decision: 'recommended', actor: reviewer, reason: 'sound plan', amount, status: 'AWAITING_GUARANTEE_APPROVAL',
      set: { recommendedAmount: amount, reviewedBy: reviewer.userId }, audit: { action: 'guarantee_review.approve', requestId: randomUUID() },
    });
    await decide(4, addDays(submittedOn, 12), {
      step: 'guarantee_approval', decision: 'approved', actor: approver, reason: 'approved', amount, status: 'AWAITING_DISBURSAL',
      set: { approvedAmount: amount }, audit: { action: 'guarantee_approval.approve', requestId: randomUUID() },
    });

    const terms: LoanTerms = { repaymentMethod: 'monthly_interest_bullet', principal: amount, annualRate: '0.0435', disbursedOn, termMonths: 12, policy };
    let periods: LoanPeriod[] = openPeriods(buildSchedule({ repaymentMethod: terms.repaymentMethod, amount, annualRate: terms.annualRate, disbursedOn, termMonths: 12, policy }).map((l) => ({ ...l, extended: false })));
    const loanId = randomUUID();
    const contractNo = `DEMO-${disbursedOn.slice(0, 4)}-${String(i + 1).padStart(3, '0')}`;
    await steps(disbursedOn).app.recordDisbursal({
      key: `${wf}:5:disbursal`, applicationId, loanId, bankId: bank.orgId!, at: at(disbursedOn, 15).toISOString(),
      disbursal: { contractNo, amount, annualRate: terms.annualRate, disbursedOn, bankReference: `DEMO-D-${i + 1}` },
      termMonths: 12, repaymentMethod: 'monthly_interest_bullet', actor: bank, requestId: randomUUID(), periods, recordedOn: disbursedOn,
    });
    const loanRef = { loanId, applicationId, bankId: bank.orgId!, guaranteeCompanyId: reg.guaranteeCompanyId, idNumber, principal: amount };

    // Every period paid on its due date, as the loan's machine would record it.
    const references: string[] = [];
    for (const p of [...periods]) {
      const due = periods.find((x) => x.period === p.period)!;
      const body = { period: p.period, amount: formatMoney(toMoney(due.principal).plus(due.interest)), paidOn: due.dueOn, bankReference: `DEMO-R-${i + 1}-${p.period}` };
      const planned = planRepayment(terms, periods, body, { today: due.dueOn, knownReferences: references });
      if (!planned.ok) throw new Error(`demo history: repayment refused: ${planned.refusals[0]!.message}`);
      const applied = applyRepayment(terms, periods, planned.plan, body.paidOn);
      await steps(due.dueOn, 11).loan.recordRepayment({
        key: `demo-loan-${loanId}:${p.period}:repayment`, loan: loanRef, today: due.dueOn, actor: bank, requestId: randomUUID(), repayment: body,
        plan: { kind: planned.plan.kind, interestPart: planned.plan.interestPart, principalPart: planned.plan.principalPart },
        periods: [applied.periods.find((x) => x.period === p.period)!], dropAfter: null, settled: applied.settled, repaidInFull: applied.repaidInFull,
        outstanding: formatMoney(outstandingPrincipal(amount, applied.periods)),
      });
      periods = applied.periods;
      references.push(body.bankReference);
    }

    // The visits, each two days after its due date, by the community's officer.
    const schedule = followUpSchedule(disbursedOn, policy);
    const key = `demo-follow-up-${loanId}`;
    await steps(disbursedOn).followUp.scheduleFollowUp({ key: `${key}:scheduled`, loanId, visits: schedule });
    for (const [k, v] of schedule.entries()) {
      const [operatingStatus, employees, registered] = b.visits[k]!;
      const reg17 = `92220102MA${String(i + 1).padStart(7, '0')}`;
      const visitedOn = addDays(v.dueOn, 2);
      await steps(visitedOn, 16).followUp.recordFollowUpVisit({
        key: `${key}:visit:${v.months}`, loanId, months: v.months, late: false, actor: community, requestId: randomUUID(),
        visit: {
          months: v.months, visitedOn, operatingStatus, employees, businessRegistrationNo: registered ? reg17 + usccCheckChar(reg17) : null,
          note: operatingStatus === 'operating' ? 'Open for business; books in order.' : `Found ${operatingStatus}.`,
        },
      });
    }
  }
}
