import type { Knex } from 'knex';

/**
 * An incubator reward is paid twice, to the operator and to the enterprise, and each payment needs
 * a reference of its own to be found on the bank statement (docs/reconciliation.md): a UUID, like
 * a claim id, made when the claim is filed. A training claim's payment is referenced by its id.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table public.incubator_reward_claims
      add column operator_payment_ref uuid not null default gen_random_uuid(),
      add column enterprise_payment_ref uuid not null default gen_random_uuid(),
      add constraint incubator_reward_claims_operator_payment_ref_key unique (operator_payment_ref),
      add constraint incubator_reward_claims_enterprise_payment_ref_key unique (enterprise_payment_ref);
    create index training_claims_paid_on on public.training_claims (paid_on) where payout_entry_id is not null;
    create index incubator_reward_claims_paid_on on public.incubator_reward_claims (paid_on) where operator_entry_id is not null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index public.incubator_reward_claims_paid_on;
    drop index public.training_claims_paid_on;
    alter table public.incubator_reward_claims drop column enterprise_payment_ref, drop column operator_payment_ref;
  `);
}
