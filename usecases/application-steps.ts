import type { Knex } from 'knex';
import type { StepDeps } from './deps';
import { DomainError } from '../domain/errors';
import { applicationWorkflowId, type Actor, type ApplicationInput } from '../workflows/definitions';
import type { RepaymentMethod } from '../domain/enums';
import type { PolicyParams } from '../domain/policy';
import { loadPolicy, loadPolicyInForce } from '../db/repositories/policies';
import { checkCertificate, checkEligibility } from '../domain/eligibility';
import type { Disbursal } from '../domain/application-schemas';
import { audit, stepActorColumns } from '../db/repositories/audit';
import { insertOnce } from '../db/repositories/once';
import { openLoanRecords } from './loan-steps';
import type { LoanPeriod } from '../domain/repayment';
import { intakeStep, type Step, type StepChanges, type StepRecord, type ViolationList } from '../workflows/application/steps';

export type { StepRecord, StepChanges, ViolationList } from '../workflows/application/steps';

const STEP_COLUMNS: Record<keyof StepChanges, string> = {
  counterGuaranteeType: 'counter_guarantee_type',
  recommendedAmount: 'recommended_amount',
  reviewedBy: 'reviewed_by',
  approvedAmount: 'approved_amount',
  endReason: 'end_reason',
  stepDeadline: 'step_deadline_at',
};

/** The applications columns a step's changes write. */
function stepColumns(set: StepChanges = {}): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const k of Object.keys(STEP_COLUMNS) as Array<keyof StepChanges>) if (set[k] !== undefined) out[STEP_COLUMNS[k]] = set[k];
  return out;
}

/** The intake activity's input: the application, its two keys, and the workflow's time. */
export interface IntakeRecord extends ApplicationInput {
  /** The submission's key (history and audit). */
  key: string;
  /** The intake check's key. */
  checkKey: string;
  /** The workflow's time: the counter-guarantee deadline counts from it. */
  nowMs: number;
}

/** What the intake recorded: the application registered and checked, or refused as a conflict. */
export type IntakeOutcome =
  | { ok: true; policyId: string; policy: PolicyParams; guaranteeCompanyId: string; submittedAt: string; violations: ViolationList; step: Step; checkedAt: string }
  | { ok: false; message: string };

const ACTIVE_INDEX = 'applications_one_active_per_person';
const LOAN_STATUSES_ACTIVE = ['REPAYING'];

function isUniqueViolation(e: unknown, constraint: string): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === '23505' && err.constraint === constraint;
}

/** Certificate registry lookup and eligibility on the application's own policy version. */
async function intakeViolations(db: Knex, applicationId: string, policy: PolicyParams): Promise<ViolationList> {
  const app = await db('applications').where({ id: applicationId }).first();
  const cert = await db('certificates').where({ certificate_no: app.certificate_no }).first();
  const history = await db('applications')
    .where({ id_number: app.id_number })
    .whereNot({ id: applicationId })
    .select(
      db.raw(`count(*) filter (where status = any(?)) as active`, [LOAN_STATUSES_ACTIVE]),
      db.raw(`count(*) filter (where loan_id is not null) as lifetime`),
      db.raw(`count(*) filter (where status = 'DEFAULTED') as defaults`),
    )
    .first();
  const certificateViolations = checkCertificate(
    cert && {
      certificateNo: cert.certificate_no,
      holderIdNumber: cert.holder_id_number,
      issuedOn: cert.issued_on,
      revoked: cert.revoked_at !== null,
    },
    { holderIdNumber: app.id_number, today: app.submitted_on, maxAgeMonths: policy.certificateMaxAgeMonths },
  );
  const eligibilityViolations = checkEligibility(
    {
      idNumber: app.id_number,
      targetGroup: app.target_group,
      requestedAmount: app.requested_amount,
      termMonths: app.term_months,
      activeLoans: Number(history.active),
      lifetimeLoans: Number(history.lifetime),
      unresolvedDefault: Number(history.defaults) > 0,
    },
    policy,
    app.submitted_on,
  );
  return [...certificateViolations, ...eligibilityViolations];
}

/**
 * The intake an earlier attempt committed (the activity retried after its commit): the same
 * answer, from what was recorded. Its violations are those the rejection's audit row keeps.
 */
async function recordedIntake(db: Knex, input: IntakeRecord, app: { policy_id: string; guarantee_company_id: string; created_at: Date }): Promise<IntakeOutcome> {
  const policyRow = await loadPolicy(db, app.policy_id);
  const audited = await db('audit_log').where({ idempotency_key: input.checkKey }).first('payload');
  const violations: ViolationList = audited?.payload?.violations ?? [];
  // The history row keeps the time the step was recorded at (an audit row's is the database's).
  const check = await db('application_history').where({ idempotency_key: input.checkKey }).first('at');
  const step = intakeStep(input.meta, policyRow.params, violations, input.nowMs);
  const row = await db('applications').where({ id: input.applicationId }).first('step_deadline_at');
  // The deadline as recorded, not as counted again.
  if (row?.step_deadline_at && step.set?.stepDeadline !== undefined) step.set.stepDeadline = row.step_deadline_at.toISOString();
  const checkedAt = (check?.at ?? app.created_at).toISOString();
  return { ok: true, policyId: policyRow.id, policy: policyRow.params, guaranteeCompanyId: app.guarantee_company_id, submittedAt: app.created_at.toISOString(), violations, step, checkedAt };
}

/** One step: read model + history + audit, in the caller's transaction, once per key. */
async function writeStep(trx: Knex.Transaction, r: StepRecord): Promise<void> {
  const fresh = await insertOnce(trx, 'application_history', {
    application_id: r.applicationId,
    step: r.step,
    decision: r.decision,
    ...stepActorColumns(r.actor),
    org_id: r.actor?.orgId ?? null,
    at: r.at,
    reason: r.reason,
    amount: r.amount ?? null,
    idempotency_key: r.key,
  });
  if (!fresh) return; // already recorded by an earlier attempt
  if (r.status || r.set) {
    await trx('applications')
      .where({ id: r.applicationId })
      .update({ ...(r.status ? { status: r.status } : {}), ...stepColumns(r.set), updated_at: r.at });
  }
  if (r.audit) {
    await audit(trx, {
      key: r.key, at: r.at, actor: r.actor, action: r.audit.action, entityType: 'application',
      entityId: r.applicationId, reason: r.reason, requestId: r.audit.requestId, clientRequestId: r.audit.clientRequestId ?? null, payload: r.audit.payload,
    });
  }
}

/**
 * The steps of an application's workflow, each run by an activity (activities/applications.ts):
 * its read model, history and audit row in one transaction, once per key.
 */
export function applicationSteps({ db, clock }: StepDeps) {
  return {
    /**
     * The intake, in one transaction: the read-model row (status SUBMITTED) under the policy in
     * force on the submission day, its history and audit rows, then the certificate and eligibility
     * checks on that policy and their outcome as a step (AWAITING_COUNTER_GUARANTEE or REJECTED),
     * recorded like every other step. Refuses, writing nothing, when the person already has an
     * application in progress. A retried activity finds what its first attempt committed and
     * answers the same.
     */
    async intake(input: IntakeRecord): Promise<IntakeOutcome> {
      const existing = await db('applications').where({ id: input.applicationId }).first();
      if (existing) return recordedIntake(db, input, existing);
      const policyRow = await loadPolicyInForce(db, input.submittedOn);
      if (!policyRow) {
        throw new DomainError('UNPROCESSABLE', `No policy version is in force on ${input.submittedOn}`);
      }
      // The guarantee company: the one in the community's region, else the first registered.
      const community = await db('organisations').where({ id: input.communityId, type: 'community' }).first();
      if (!community) return { ok: false, message: `communityId ${input.communityId} is not a credit community` };
      const companies = await db('organisations').where({ type: 'guarantee_company' }).orderBy('created_at').select('id', 'region');
      const company = companies.find((c) => c.region === community.region) ?? companies[0];
      if (!company) throw new DomainError('UNPROCESSABLE', 'No guarantee company is registered');
      const at = clock.now();
      try {
        return await db.transaction(async (trx) => {
          await trx('applications').insert({
            id: input.applicationId,
            workflow_id: applicationWorkflowId(input.applicationId),
            applicant_user_id: input.applicantUserId,
            id_number: input.idNumber,
            name: input.name,
            phone: input.phone,
            target_group: input.targetGroup,
            certificate_no: input.certificateNo,
            community_id: input.communityId,
            guarantee_company_id: company.id,
            bank_id: input.bankId,
            requested_amount: input.requestedAmount,
            term_months: input.termMonths,
            repayment_method: input.repaymentMethod,
            business_plan: input.businessPlan,
            policy_id: policyRow.id,
            submitted_on: input.submittedOn,
            status: 'SUBMITTED',
            created_at: at,
            updated_at: at,
          });
          await trx('application_history').insert({
            application_id: input.applicationId,
            step: 'submission',
            decision: 'submitted',
            by_user_id: input.meta.actor.userId,
            by_username: input.meta.actor.username,
            role: input.meta.actor.role,
            org_id: null,
            at,
            reason: null,
            amount: input.requestedAmount,
            idempotency_key: input.key,
          });
          await audit(trx, {
            key: input.key, at, actor: input.meta.actor, action: 'application.submit',
            entityType: 'application', entityId: input.applicationId, reason: null, requestId: input.meta.requestId, clientRequestId: input.meta.clientRequestId ?? null,
            payload: { requestedAmount: input.requestedAmount, termMonths: input.termMonths, certificateNo: input.certificateNo, policyId: policyRow.id },
          });
          const violations = await intakeViolations(trx, input.applicationId, policyRow.params);
          const step = intakeStep(input.meta, policyRow.params, violations, input.nowMs);
          // Not before the submission, nor before the workflow's time (ahead of ours in tests that skip time).
          const checkedAt = new Date(Math.max(input.nowMs, at.getTime())).toISOString();
          await writeStep(trx, { ...step, key: input.checkKey, applicationId: input.applicationId, at: checkedAt });
          return { ok: true as const, policyId: policyRow.id, policy: policyRow.params, guaranteeCompanyId: company.id, submittedAt: at.toISOString(), violations, step, checkedAt };
        });
      } catch (e) {
        if (isUniqueViolation(e, ACTIVE_INDEX)) {
          return { ok: false, message: 'This person already has an application in progress; withdraw it or wait for its outcome' };
        }
        throw e;
      }
    },

    /** Read model + history + audit in one transaction, once per key. */
    async recordStep(r: StepRecord): Promise<void> {
      await db.transaction((trx) => writeStep(trx, r));
    },

    /** The bank's disbursal: the loan row, the application's hand-off to REPAYING, history and audit. */
    async recordDisbursal(r: {
      key: string;
      applicationId: string;
      loanId: string;
      bankId: string;
      at: string;
      disbursal: Disbursal;
      termMonths: number;
      repaymentMethod: RepaymentMethod;
      actor: Actor;
      requestId: string;
      clientRequestId?: string | null;
      /** The loan's schedule, as the loan workflow computes it from the same pure code. */
      periods: LoanPeriod[];
      /** The business date the disbursal is recorded on (postings fall back to it in a closed quarter). */
      recordedOn: string;
    }): Promise<void> {
      try {
        await db.transaction(async (trx) => {
          const fresh = await insertOnce(trx, 'application_history', {
            application_id: r.applicationId, step: 'disbursal', decision: 'disbursed', ...stepActorColumns(r.actor), org_id: r.actor.orgId,
            at: r.at, reason: `contract ${r.disbursal.contractNo}, bank reference ${r.disbursal.bankReference}`,
            amount: r.disbursal.amount, idempotency_key: r.key,
          });
          if (!fresh) return;
          const app = await trx('applications').where({ id: r.applicationId }).first();
          await trx('loans').insert({
            id: r.loanId,
            application_id: r.applicationId,
            bank_id: r.bankId,
            borrower_id_number: app.id_number,
            contract_no: r.disbursal.contractNo,
            principal: r.disbursal.amount,
            annual_rate: r.disbursal.annualRate,
            disbursed_on: r.disbursal.disbursedOn,
            term_months: r.termMonths,
            repayment_method: r.repaymentMethod,
            bank_reference: r.disbursal.bankReference,
            policy_id: app.policy_id,
            status: 'REPAYING',
          });
          await trx('applications')
            .where({ id: r.applicationId })
            .update({ status: 'REPAYING', loan_id: r.loanId, bank_id: r.bankId, step_deadline_at: null, updated_at: r.at });
          await openLoanRecords(trx, {
            key: r.key, loanId: r.loanId, bankId: r.bankId, guaranteeCompanyId: app.guarantee_company_id, idNumber: app.id_number,
            principal: r.disbursal.amount, disbursedOn: r.disbursal.disbursedOn, recordedOn: r.recordedOn,
            contractNo: r.disbursal.contractNo, periods: r.periods,
          });
          await audit(trx, {
            key: r.key, at: r.at, actor: r.actor, action: 'disbursal.record', entityType: 'application',
            entityId: r.applicationId, reason: null, requestId: r.requestId, clientRequestId: r.clientRequestId ?? null, payload: { loanId: r.loanId, ...r.disbursal },
          });
        });
      } catch (e) {
        if (isUniqueViolation(e, 'loans_bank_id_contract_no_unique')) {
          throw new DomainError('CONFLICT', `Contract ${r.disbursal.contractNo} is already recorded for this bank`, [
            { path: 'contractNo', message: 'already used for another loan of this bank' },
          ]);
        }
        throw e;
      }
    },
  };
}

export type ApplicationSteps = ReturnType<typeof applicationSteps>;
