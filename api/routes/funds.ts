import { z } from 'zod';
import type { ApiRouter } from '../route';
import { ApiError } from '../errors';
import type { AuthUser } from '../auth/middleware';
import { getFund, getFundStatus } from '../../db/ledger';

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

/** Finance staff see their own bureau's funds; the auditor sees every fund. */
const sees = (user: AuthUser, bureauId: string) => user.role === 'auditor' || user.orgId === bureauId;

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
      const q = deps.db('funds').select('id').orderBy([{ column: 'year', order: 'desc' }, { column: 'name' }]);
      if (query.year !== undefined) q.where({ year: query.year });
      if (user.role !== 'auditor') q.where({ finance_bureau_org_id: user.orgId });
      const ids: string[] = await q.pluck('id');
      const body = [];
      for (const id of ids) {
        const fund = (await getFund(deps.db, id))!;
        body.push({ ...(await getFundStatus(deps.db, id)), name: fund.name, financeBureauOrgId: fund.financeBureauOrgId });
      }
      return { status: 200, body };
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
      const fund = await getFund(deps.db, params.id);
      if (!fund || !sees(user, fund.financeBureauOrgId)) throw new ApiError('NOT_FOUND', `fund ${params.id} not found`);
      const status = await getFundStatus(deps.db, fund.id);
      return { status: 200, body: { ...status, name: fund.name, financeBureauOrgId: fund.financeBureauOrgId } };
    },
  });
}
