import { z } from 'zod';
import type { ApiRouter } from '../route';
import { routeKinds } from '../route-kinds';
import { OPERATING_STATUSES } from '../../domain/follow-up';
import { followUpVisitSchema } from '../../domain/follow-up-schemas';
import { loanFollowUp, recordFollowUpVisit } from '../../usecases/follow-up';

const VIEWERS = ['community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer', 'finance_officer', 'finance_approver', 'auditor'] as const;
const RECORDERS = ['community_officer', 'guarantee_reviewer', 'guarantee_approver'] as const;

const followUpSchema = z
  .object({
    loanId: z.string(),
    disbursedOn: z.string(),
    visits: z.array(
      z.object({
        months: z.number().meta({ description: 'months after disbursal' }),
        dueOn: z.string(),
        overdueOn: z.string().meta({ description: 'not recorded before this day, the visit is overdue' }),
        state: z.enum(['scheduled', 'due', 'overdue', 'recorded']),
        visit: z
          .object({
            visitedOn: z.string(),
            operatingStatus: z.enum(OPERATING_STATUSES),
            employees: z.number().meta({ description: 'people working in the business, the owner included' }),
            businessRegistrationNo: z.string().nullable(),
            note: z.string(),
            late: z.boolean().meta({ description: 'recorded on or after its overdue day' }),
            recordedBy: z.string(),
            recordedRole: z.string(),
            recordedAt: z.string(),
          })
          .nullable(),
      }),
    ),
  })
  .meta({ id: 'LoanFollowUp' });

export function followUpRoutes(api: ApiRouter): void {
  const route = routeKinds(api, 'loans', { auth: VIEWERS });
  route.byId('/v1/loans/:id/follow-up', {
    summary: "A loan's follow-up visits (跟踪服务): each one due, and what was recorded",
    description: 'The visits of the policy version the loan keeps, months after disbursal; empty for a loan disbursed before follow-up began.',
    reply: { description: 'The follow-up', schema: followUpSchema },
    load: ({ params, user, deps }) => loanFollowUp(deps, user, params.id),
  });

  route.decide('/v1/loans/:id/follow-up-visits', {
    summary: "Record a follow-up visit (an officer of the borrower's credit community or of the guarantee company)",
    description:
      'The visit of `months` must be due (on or after its due date) and not yet recorded (409 CONFLICT); `visitedOn` lies between its due date and today. ' +
      'A visit recorded on or after its overdue day is marked late. 409 INVALID_STATE when no visit is open on the loan.',
    auth: RECORDERS,
    body: followUpVisitSchema,
    status: 201,
    reply: { description: "Recorded; the loan's follow-up as it now stands", schema: followUpSchema },
    run: ({ params, body, user, deps }, r) => recordFollowUpVisit(deps, user, params.id, body, r),
  });
}
