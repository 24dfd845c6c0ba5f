import { z } from 'zod';

/** A maker–checker proposal of the finance bureau, as the API shows it (db/repositories/proposals.ts). */
export const proposalSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['fund_top_up', 'period_reopen']),
    fundId: z.string().nullable(),
    amount: z.string().nullable().meta({ description: 'a top-up: decimal string, two decimals' }),
    quarter: z.string().nullable(),
    reason: z.string(),
    status: z.enum(['pending', 'approved', 'rejected']),
    proposedBy: z.string().meta({ description: 'username of the maker' }),
    proposedAt: z.string(),
    decidedBy: z.string().nullable().meta({ description: 'username of the checker (never the maker)' }),
    decidedAt: z.string().nullable(),
    decisionReason: z.string().nullable(),
    ledgerEntryId: z.number().nullable().meta({ description: "an approved top-up's allocation in the ledger" }),
  })
  .meta({ id: 'FinanceProposal' });
