import type { Knex } from 'knex';
import { policyParamsSchema, policyInForce, type PolicyParams } from '../../domain/policy';

/** The policy version in force on a business day (rule in domain/policy.ts), parsed. */
export async function loadPolicyInForce(db: Knex | Knex.Transaction, day: string): Promise<{ id: string; params: PolicyParams } | undefined> {
  const rows = await db('policies').where('effective_from', '<=', day).select('id', 'effective_from', 'seq', 'params');
  const chosen = policyInForce(
    rows.map((r) => ({ id: r.id as string, effectiveFrom: r.effective_from as string, createdSeq: Number(r.seq) })),
    day,
  );
  if (!chosen) return undefined;
  const row = rows.find((r) => r.id === chosen.id)!;
  return { id: row.id, params: policyParamsSchema.parse(row.params) };
}

export async function loadPolicy(db: Knex | Knex.Transaction, id: string): Promise<{ id: string; params: PolicyParams }> {
  const row = await db('policies').where({ id }).first();
  return { id: row.id, params: policyParamsSchema.parse(row.params) };
}
