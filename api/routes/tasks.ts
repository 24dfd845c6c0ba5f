import { z } from 'zod';
import type { ApiRouter } from '../route';
import { pageNumber } from '../paging';
import { myTasks } from '../../usecases/tasks';

const taskSchema = z
  .object({
    kind: z.literal('application'),
    applicationId: z.string(),
    name: z.string(),
    status: z.string(),
    requestedAmount: z.string(),
    recommendedAmount: z.string().nullable(),
    approvedAmount: z.string().nullable(),
    submittedOn: z.string(),
    reviewedBy: z.string().nullable().meta({ description: 'who reviewed it (the maker), for the approver' }),
    stepDays: z.number().meta({ description: "the step's days in the application's policy version" }),
    deadline: z.string().meta({ description: 'when the step expires (ISO 8601)' }),
    reminderAt: z.string().meta({ description: 'half time: a reminder is recorded then' }),
    reminderDue: z.boolean(),
    overdue: z.boolean(),
  })
  .meta({ id: 'Task' });

export function taskRoutes(api: ApiRouter): void {
  api.add({
    method: 'get',
    path: '/v1/tasks',
    tag: 'tasks',
    summary: 'My tasks: applications waiting for my step, earliest deadline first',
    description:
      'Per role and organisation: a community officer gets the counter-guarantees, a guarantee reviewer the reviews, a guarantee approver the approvals, a bank officer the disbursals, all within what the role may see. Overdue ones come first. Other roles have no steps here (an empty page).',
    auth: 'signed-in',
    query: z.object({ page: pageNumber, pageSize: z.coerce.number().int().min(1).max(200).default(50) }).strict(),
    responses: {
      200: {
        description: 'A page',
        schema: z.object({ items: z.array(taskSchema), page: z.number(), pageSize: z.number(), total: z.number() }),
      },
    },
    async handler({ query, user, deps }) {
      const { items, total } = await myTasks(deps, user, { ...query, now: deps.now?.() ?? new Date() });
      return { status: 200, body: { items, page: query.page, pageSize: query.pageSize, total } };
    },
  });
}
