import { z } from 'zod';
import type { ApiRouter } from '../route';
import { routeKinds } from '../route-kinds';
import { createFund, getFundView, lapseFundAtYearEnd, listFunds, yearEndView } from '../../usecases/funds';
import { actorOf } from '../../usecases/deps';
import { programmeSchema } from '../../domain/programmes';
import { visibleText } from '../../domain/text-schemas';

const money = z.string().meta({ description: 'decimal string, two decimals', example: '500000.00' });

const fundSchema = z
  .object({
    id: z.string(),
    programme: programmeSchema.meta({ description: 'the programme the fund pays: interest subsidy, training subsidy or incubator rewards' }),
    year: z.number().int(),
    name: z.string(),
    financeBureauOrgId: z.string(),
    budget: money.meta({ description: 'allocated' }),
    reserved: money.meta({ description: 'held for approved claims, not yet paid' }),
    paid: money.meta({ description: 'paid out of the fund' }),
    available: money.meta({ description: 'budget − reserved − paid − lapsed; never negative' }),
    lapsed: money.meta({ description: 'given back to the treasury when the fund’s year ended' }),
  })
  .meta({ id: 'Fund' });

const yearEndSchema = fundSchema.extend({ yearEnded: z.boolean().meta({ description: 'whether 31 December of the fund’s year has passed (business date)' }) }).meta({ id: 'FundYearEnd' });
const year = z.coerce.number({ error: 'must be a year' }).int('must be a year').min(2000, 'must be 2000 or later').max(2200, 'must be 2200 or earlier');

const READERS = ['finance_officer', 'finance_approver', 'auditor'] as const;

export function fundRoutes(api: ApiRouter): void {
  const route = routeKinds(api, 'funds', { auth: READERS });
  route.read('/v1/funds', {
    summary: 'The special funds visible to you (your bureau’s; all for the auditor), newest year first, with their budget figures',
    query: z.object({ year: year.optional(), programme: programmeSchema.optional() }).strict(),
    reply: { description: 'Funds', schema: z.array(fundSchema) },
    load: ({ query, deps, user }) => listFunds(deps, user, query),
  });

  route.create('/v1/funds', {
    summary: 'Open a fund of a programme for a year, in your own bureau (finance officer or approver)',
    description:
      'The fund starts with no budget: its budget comes by top-ups, proposed by one finance officer or approver and approved by another ' +
      '(POST /v1/funds/{id}/top-ups). A second fund of the same programme and year in one bureau is 409.',
    auth: ['finance_officer', 'finance_approver'],
    body: z
      .object({
        programme: programmeSchema,
        year: z.number({ error: 'must be a year' }).int('must be a year').min(2000, 'must be 2000 or later').max(2200, 'must be 2200 or earlier'),
        name: visibleText(z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters')),
      })
      .strict()
      .meta({ id: 'FundCreate' }),
    reply: { description: 'Opened, with no budget yet', schema: fundSchema },
    make: ({ body, deps, user }, { requestId, idempotency }) => createFund(deps, { ...body, actor: actorOf(user), requestId, idempotency }),
    location: (fund) => `/v1/funds/${fund.id}`,
  });

  route.read('/v1/funds/year-end', {
    summary: 'The year-end view: per fund of a year, its budget, reserved, paid and lapsed',
    description: 'Your bureau’s funds (every bureau’s for the auditor). Until a fund lapses (POST /v1/funds/{id}/lapse), what is left shows as available.',
    query: z.object({ year }).strict(),
    reply: { description: 'The funds of the year', schema: z.array(yearEndSchema) },
    load: ({ query, deps, user }) => yearEndView(deps, user, query.year),
  });

  route.decide('/v1/funds/:id/lapse', {
    summary: 'After its year ended, give what is left available in a fund back to the treasury (finance approver)',
    description:
      'Posts one ledger entry (Dr treasury cash / Cr the fund’s available budget), keyed on the fund: a second call posts nothing and answers the same figures. ' +
      'Before 1 January of the next year (business date) it is 409. What is reserved for approved claims stays.',
    auth: ['finance_approver'],
    reply: { description: 'The fund after its lapse', schema: yearEndSchema },
    run: ({ params, deps, user }, { requestId }) => lapseFundAtYearEnd(deps, { fundId: params.id, actor: actorOf(user), requestId }),
  });

  route.byId('/v1/funds/:id', {
    summary: 'A special fund: {id, year, budget, reserved, paid, available}',
    reply: { description: 'The fund', schema: fundSchema },
    load: ({ params, deps, user }) => getFundView(deps, user, params.id),
  });
}
