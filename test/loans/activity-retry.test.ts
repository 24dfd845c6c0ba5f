import { expect } from 'chai';
import type { TestEnv } from '../support/env';
import { openApiSuite, type ApiHarness } from '../support/api';
import type { DemoOrgs } from '../applications/helpers';
import { amountDue, openLoan } from './helpers';
import { createLoanActivities, type RepaymentRecord } from '../../activities/loans';
import { systemClock } from '../../activities/clock';
import { loanWorkflowId } from '../../workflows/definitions';

describe('loan activities retried (dev server, real PostgreSQL)', () => {
  let env: TestEnv, h: ApiHarness, orgs: DemoOrgs;
  before(async () => ({ env, h, orgs } = await openApiSuite()));
  after(async () => h?.close());

  it('writes a repayment, its ledger entry, accrual, integrity event and audit row once, however often the activity runs', async () => {
    const { loanId, applicationId, applicant, loan, disbursedOn } = await openLoan(h, env.temporal, orgs, { termMonths: 6 });
    // The workflow is not part of this test: the activity is called as a retrying worker would.
    await env.temporal.client.workflow.getHandle(loanWorkflowId(loanId)).terminate('activity test');
    const p = loan.schedule[0];
    const bank = await env.db('users').where({ username: 'bank-a' }).first();
    const record: RepaymentRecord = {
      key: `loan-${loanId}:1:repayment`,
      loan: { loanId, applicationId, bankId: orgs.bankA, guaranteeCompanyId: orgs.guarantee, idNumber: applicant.idNumber, principal: loan.principal },
      today: disbursedOn,
      actor: { userId: bank.id, username: 'bank-a', role: 'bank_officer', orgId: orgs.bankA },
      requestId: 'retry-test',
      repayment: { period: 1, amount: amountDue(p), paidOn: disbursedOn, bankReference: `RETRY-${loanId.slice(0, 8)}` },
      plan: { kind: 'scheduled', interestPart: p.interest, principalPart: p.principal },
      periods: [{ ...p, quarter: p.quarter, outstandingAfter: loan.principal, paid: amountDue(p), lastPaidOn: disbursedOn, status: 'paid_on_time' }],
      dropAfter: null,
      settled: { period: 1, onTime: true, subsidy: p.subsidy, dueOn: p.dueOn, quarter: p.quarter },
      repaidInFull: false,
      outstanding: loan.principal,
    };
    const acts = createLoanActivities({ db: env.db, clock: systemClock });
    await acts.recordRepayment(record);
    await acts.recordRepayment(record);
    await Promise.all([acts.recordRepayment(record), acts.recordRepayment(record)].map((x) => x.catch((e) => e)));

    expect(await env.db('loan_repayments').where({ loan_id: loanId })).to.have.length(1);
    expect(await env.db('subsidy_accruals').where({ loan_id: loanId })).to.have.length(1);
    expect(await env.db('integrity_events').where({ loan_id: loanId, kind: 'on_time' })).to.have.length(1);
    expect(await env.db('audit_log').where({ entity_type: 'loan', entity_id: loanId, action: 'loan.repayment' })).to.have.length(1);
    const entries = await env.db('ledger_entries').whereRaw(`metadata->>'loanId' = ?`, [loanId]).whereIn('kind', ['loan.repayment', 'subsidy.accrual']);
    expect(entries.map((e) => e.kind).sort()).to.deep.equal(['loan.repayment', 'subsidy.accrual']);
  });
});
