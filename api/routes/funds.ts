import { z } from 'zod';
import type { ApiRouter } from '../route';
import { getFundView, listFunds } from '../../usecases/funds';

const money = z.string().meta({ description: 'decimal string, two decimals', example: '500000.00' });

const fundSchema = z
  .object({
    id: z.string(),
    year: z.number().int(),
    name: z.string(),
    financeBureauOrgId: z.string(),
    budget: money.meta({ description: 'allocated' }),
    reserved: money.meta({ description: 'held for approved claims, not yet paid' }),
    paid: money.meta({ description: 'paid out of the fund' }),
    available: money.meta({ description: 'budget − reserved − paid; never negative' }),
  })
  .meta({ id: 'Fund' });

const READERS = ['finance_officer', 'finance_approver', 'auditor'] as const;

export function fundRoutes(api: ApiRouter): void {
  api.add({
    method: 'get',
    path: '/v1/funds',
    tag: 'funds',
    summary: 'The special funds visible to you (your bureau’s; all for the auditor), newest year first, with their budget figures',
    auth: READERS,
    query: z.object({ year: z.coerce.number().int().min(2000).max(2200).optional() }).strict(),
    responses: { 200: { description: 'Funds', schema: z.array(fundSchema) } },
    async handler({ query, deps, user }) {
      return { status: 200, body: await listFunds(deps, user, query) };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/funds/:id',
    tag: 'funds',
    summary: 'A special fund: {id, year, budget, reserved, paid, available}',
    auth: READERS,
    params: z.object({ id: z.uuid() }),
    responses: { 200: { description: 'The fund', schema: fundSchema } },
    async handler({ params, deps, user }) {
      return { status: 200, body: await getFundView(deps, user, params.id) };
    },
  });
}
