import { z } from 'zod';
import type { ApiRouter } from '../route';
import { ApiError } from '../errors';
import { integrityEvents } from '../../db/repositories/loans';
import { idNumberSchema } from '../../domain/id-number';
import { formatMoney, sumMoney } from '../../domain/money';

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

/** The borrower's integrity record (诚信档案): on-time history, defaults and recoveries (SPEC §4). */
export function integrityRoutes(api: ApiRouter): void {
  api.add({
    method: 'get',
    path: '/v1/integrity-records/:idNumber',
    tag: 'integrity',
    summary: "A person's integrity record: loans, on-time and late periods, defaults, recoveries",
    description: 'A person with no loans has an empty record. Applicants may read only their own.',
    auth: ['applicant', 'auditor', ...OFFICERS],
    params: z.object({ idNumber: idNumberSchema }),
    responses: { 200: { description: 'The record', schema: integrityRecordSchema } },
    async handler({ params, user, deps }) {
      if (user.role === 'applicant' && user.idNumber !== params.idNumber) {
        throw new ApiError('FORBIDDEN', 'applicants may read only their own integrity record');
      }
      const [events, loans] = await Promise.all([
        integrityEvents(deps.db, params.idNumber),
        deps.db('loans').where({ borrower_id_number: params.idNumber }).count<{ count: number }[]>('* as count'),
      ]);
      const count = (kind: string) => events.filter((e) => e.kind === kind).length;
      const recoveries = events.filter((e) => e.kind === 'recovery');
      return {
        status: 200,
        body: {
          idNumber: params.idNumber,
          loans: Number(loans[0]?.count ?? 0),
          onTimePeriods: count('on_time'),
          latePeriods: count('late'),
          defaults: count('default'),
          recoveries: recoveries.length,
          recoveredAmount: formatMoney(sumMoney(recoveries.map((e) => e.amount as string))),
          events: events.map((e) => ({ at: e.on, kind: e.kind, loanId: e.loan_id, period: e.period, amount: e.amount, detail: e.detail })),
        },
      };
    },
  });
}
