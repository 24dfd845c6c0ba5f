import { z } from 'zod';
import type { ApiRouter } from '../route';
import { idNumberSchema } from '../../domain/id-number-schema';
import { integrityRecord } from '../../usecases/loans';
import { DEFAULT_INTEGRITY_READ_LIMITS, ReadLimiter } from '../auth/read-limits';
import { limitCountersOf } from '../../usecases/limits';

export const integrityRecordSchema = z
  .object({
    idNumber: z.string(),
    loans: z.number(),
    onTimePeriods: z.number(),
    latePeriods: z.number(),
    defaults: z.number(),
    recoveries: z.number(),
    recoveredAmount: z.string(),
    events: z.array(
      z.object({
        at: z.string().meta({ description: 'business date, YYYY-MM-DD' }),
        kind: z.enum(['disbursed', 'on_time', 'late', 'extended', 'repaid', 'early_repaid', 'default', 'compensation', 'recovery']),
        loanId: z.string(),
        period: z.number().nullable(),
        amount: z.string().nullable(),
        detail: z.string(),
      }),
    ),
  })
  .meta({ id: 'IntegrityRecord' });

const OFFICERS = ['community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer', 'finance_officer', 'finance_approver', 'training_officer'] as const;

/** The borrower's integrity record (诚信档案): on-time history, defaults and recoveries (docs/domain.md §4.3). */
export function integrityRoutes(api: ApiRouter): void {
  const reads = new ReadLimiter(limitCountersOf(api.deps), 'integrity record', api.deps.integrityReadLimits);
  api.add({
    method: 'get',
    path: '/v1/integrity-records/:idNumber',
    tag: 'integrity',
    summary: "A person's integrity record: loans, on-time and late periods, defaults, recoveries",
    description:
      'A person with no loans has an empty record. Applicants may read only their own. Officers and the auditor read the record ' +
      'of a person whose application they may see, and no other (404 alike whether or not the person exists); each such read is ' +
      `audited, and a user makes at most ${DEFAULT_INTEGRITY_READ_LIMITS.perUser} of them an hour (429 with Retry-After).`,
    auth: ['applicant', 'auditor', ...OFFICERS],
    params: z.object({ idNumber: idNumberSchema }),
    responses: { 200: { description: 'The record', schema: integrityRecordSchema }, 429: { description: 'Too many reads of other people\'s records: wait Retry-After seconds' } },
    async handler({ params, user, deps, requestId, clientRequestId }) {
      if (user.role !== 'applicant' || user.idNumber !== params.idNumber) await reads.take(user.id);
      return { status: 200, body: await integrityRecord(deps, user, params.idNumber, { requestId, clientRequestId }) };
    },
  });
}
