import { z } from 'zod';
import type { ApiRouter } from '../route';
import { routeKinds } from '../route-kinds';
import { pageNumber } from '../paging';
import { isoDateSchema } from '../../domain/date-schemas';
import { ACCOUNT_CODE, MAX_PAGE_SIZE, ledgerAccountBalance, ledgerEntries, ledgerTrialBalance, verifyLedgerNow } from '../../usecases/ledger';
import { fundRoutes } from './funds';

const READERS = ['finance_officer', 'finance_approver', 'auditor'] as const;

const money = z.string().meta({ description: 'decimal string, two decimals', example: '80000.00' });

const lineSchema = z
  .object({ lineNo: z.number().int(), account: z.string(), side: z.enum(['debit', 'credit']), amount: money })
  .meta({ id: 'LedgerLine' });

const entrySchema = z
  .object({
    id: z.number().int(),
    idempotencyKey: z.string(),
    postedOn: z.string().meta({ description: 'business date, YYYY-MM-DD' }),
    kind: z.string(),
    description: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    reversesEntryId: z.number().int().nullable(),
    createdAt: z.string().meta({ description: 'when it was written' }),
    lines: z.array(lineSchema),
  })
  .meta({ id: 'LedgerEntry' });

const balanceSchema = z
  .object({
    account: z.string(),
    name: z.string(),
    kind: z.string(),
    type: z.enum(['asset', 'liability', 'equity', 'income', 'expense', 'memo']),
    normalSide: z.enum(['debit', 'credit']),
    asOf: z.string().nullable(),
    debits: money,
    credits: money,
    balance: money.meta({ description: "on the account's normal side" }),
  })
  .meta({ id: 'AccountBalance' });

const trialBalanceSchema = z
  .object({
    asOf: z.string().nullable(),
    accounts: z.array(
      z.object({
        account: z.string(),
        name: z.string(),
        type: z.string(),
        normalSide: z.enum(['debit', 'credit']),
        debits: money,
        credits: money,
        balance: money,
        debitBalance: money,
        creditBalance: money,
      }),
    ),
    totalDebits: money,
    totalCredits: money,
    balanced: z.boolean(),
  })
  .meta({ id: 'TrialBalance' });

const verifySchema = z
  .object({
    ok: z.boolean(),
    entries: z.number().int(),
    sealed: z.number().int(),
    unsealed: z.number().int(),
    balanced: z.boolean(),
    chainIntact: z.boolean(),
    balancesMatch: z.boolean(),
    firstBadEntry: z.number().int().nullable(),
    badEntries: z.array(z.number().int()),
    headHash: z.string(),
    problems: z.array(z.string()),
  })
  .meta({ id: 'LedgerVerification' });

const accountCodeSchema = z
  .string()
  .max(200)
  .regex(ACCOUNT_CODE, 'must be an account code like fund:<id>:available')
  .meta({ example: 'fund:8f0e2c1a-0000-4000-8000-000000000001:available' });

const asOfQuery = z.object({ asOf: isoDateSchema.optional().meta({ description: 'end of this business date; omitted: everything posted' }) }).strict();

/** The ledger's routes, and the special fund's (api/routes/funds.ts), which read the same books. */
export function ledgerRoutes(api: ApiRouter): void {
  fundRoutes(api);
  const route = routeKinds(api, 'ledger', { auth: READERS });
  route.read('/v1/ledger/entries', {
    summary: 'Journal entries with their lines, by business date; filter by account and date range',
    query: z
      .object({
        account: accountCodeSchema.optional(),
        from: isoDateSchema.optional().meta({ description: 'posted on or after' }),
        to: isoDateSchema.optional().meta({ description: 'posted on or before' }),
        page: pageNumber,
        pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
      })
      .strict(),
    reply: {
      description: 'One page of entries',
      schema: z.object({ items: z.array(entrySchema), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() }).meta({ id: 'LedgerEntryPage' }),
    },
    load: ({ query, deps }) => ledgerEntries(deps, query),
  });

  route.read('/v1/ledger/verify', {
    summary: 'Recompute the hash chain and the balances from the rows: {ok, entries, balanced, chainIntact, firstBadEntry, ...}',
    description:
      'Read-only: entries committed since the last seal are counted as `unsealed` (checked for balance, not yet chained). ' +
      '`headHash` is the chain’s last hash — compare it with one recorded earlier to detect a rewritten chain.',
    auth: ['auditor'],
    reply: { description: 'The verification report (ok or not)', schema: verifySchema },
    load: ({ deps }) => verifyLedgerNow(deps),
  });

  route.read('/v1/ledger/trial-balance', {
    summary: 'Every account’s net balance in a debit or a credit column; the columns are equal',
    query: asOfQuery,
    reply: { description: 'The trial balance', schema: trialBalanceSchema },
    load: ({ query, deps }) => ledgerTrialBalance(deps, query.asOf),
  });

  route.read('/v1/ledger/accounts/:code/balance', {
    summary: 'An account’s debits, credits and balance, now or as of a business date',
    params: z.object({ code: accountCodeSchema }),
    query: asOfQuery,
    reply: { description: 'The balance', schema: balanceSchema },
    load: ({ params, query, deps }) => ledgerAccountBalance(deps, params.code, query.asOf),
  });
}
