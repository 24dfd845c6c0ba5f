import type { Knex } from 'knex';

/**
 * The training subsidy's claims and the incubator rewards (docs/programmes.md). What must hold even
 * against the application's own role is a constraint here: a trainee is paid at most once per
 * course type and part (a unique key over the live lines), one live claim per class and part, one
 * live reward claim per enterprise and kind of event, and the approver is never the checker.
 */

/** Who filed, checked and decided a programme claim, and its payment: the same in both claim tables. */
const decisionColumns = `      filed_by uuid not null,
      filed_on date not null,
      checked_by uuid,
      check_decision text,
      check_reason text,
      decided_by uuid,
      decision_reason text,
      fund_id uuid,
      paid_on date,
`;
/**
 * The rules both claim tables hold alike: their key, the policy version, who filed, checked and
 * decided, the fund, the statuses, and that the approver is never the checker.
 */
const claimRules = (t: string) => `      constraint ${t}_pkey primary key (id),
      constraint ${t}_policy_fkey foreign key (policy_id) references public.policies (id),
      constraint ${t}_filed_by_fkey foreign key (filed_by) references public.users (id),
      constraint ${t}_checked_by_fkey foreign key (checked_by) references public.users (id),
      constraint ${t}_decided_by_fkey foreign key (decided_by) references public.users (id),
      constraint ${t}_fund_fkey foreign key (fund_id) references public.funds (id),
      constraint ${t}_status_check check (status in ('FILED', 'CHECKED', 'PENDING_BUDGET', 'PAID', 'REFUSED', 'REJECTED')),
      constraint ${t}_four_eyes check (decided_by is null or decided_by is distinct from checked_by),
`;

/** Who registered a row of either registry (incubators, the enterprises they incubate), and when. */
const registrationColumns = `      registered_by uuid not null,
      created_at timestamptz not null default now(),
`;
/** The rules both registries hold alike: their key, who registered the row, and a name of 1 to 200 characters. */
const registryRules = (t: string) => `      constraint ${t}_pkey primary key (id),
      constraint ${t}_registered_by_fkey foreign key (registered_by) references public.users (id),
      constraint ${t}_name_check check (length(btrim(name)) between 1 and 200),
`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table public.training_claims (
      id uuid not null,
      workflow_id text not null,
      institution_id uuid not null,
      part text not null,
      course text not null,
      class_ref text not null,
      enrolled integer,
      base_claim_id uuid,
      policy_id uuid not null,
      status text not null default 'FILED',
      amount numeric(18,2) not null,
${decisionColumns}      payout_entry_id bigint,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
${claimRules('training_claims')}      constraint training_claims_institution_fkey foreign key (institution_id) references public.organisations (id),
      constraint training_claims_base_fkey foreign key (base_claim_id) references public.training_claims (id),
      constraint training_claims_payout_fkey foreign key (payout_entry_id) references public.ledger_entries (id),
      constraint training_claims_part_check check (part in ('base', 'outcome')),
      constraint training_claims_course_check check (course in ('SYB', 'GYB', 'IYB')),
      constraint training_claims_class_ref_check check (length(btrim(class_ref)) between 1 and 100),
      constraint training_claims_parts check ((part = 'base' and enrolled is not null and enrolled >= 0 and base_claim_id is null)
                                           or (part = 'outcome' and enrolled is null and base_claim_id is not null)),
      constraint training_claims_amount_check check (amount >= 0),
      constraint training_claims_paid check ((status = 'PAID') = (payout_entry_id is not null))
    );
    -- One live claim per class and part: a refused or rejected one may be filed again.
    create unique index training_claims_one_live on public.training_claims (institution_id, course, class_ref, part)
      where status not in ('REFUSED', 'REJECTED');
    create index training_claims_institution on public.training_claims (institution_id, created_at);

    create table public.training_claim_lines (
      claim_id uuid not null,
      certificate_no text not null,
      holder_id_number text not null,
      holder_name text not null,
      course text not null,
      part text not null,
      issued_on date,
      started_on date,
      loan_id uuid,
      mismatch text,
      amount numeric(18,2) not null,
      live boolean not null default true,
      constraint training_claim_lines_pkey primary key (claim_id, certificate_no),
      constraint training_claim_lines_claim_fkey foreign key (claim_id) references public.training_claims (id),
      constraint training_claim_lines_course_check check (course in ('SYB', 'GYB', 'IYB')),
      constraint training_claim_lines_part_check check (part in ('base', 'outcome')),
      constraint training_claim_lines_amount_check check (amount >= 0),
      constraint training_claim_lines_outcome check (part = 'base' or (started_on is not null and mismatch is null))
    );
    -- A trainee is paid at most once per course type and part, whichever claim lists them.
    create unique index training_claim_lines_once on public.training_claim_lines (holder_id_number, course, part) where live;

    create table public.incubators (
      id uuid not null default gen_random_uuid(),
      name text not null,
      operator_name text not null,
      operator_credit_code text not null,
      region text not null,
${registrationColumns}${registryRules('incubators')}      constraint incubators_name_key unique (name),
      constraint incubators_operator_name_check check (length(btrim(operator_name)) between 1 and 200),
      constraint incubators_credit_code_check check (operator_credit_code ~ '^[0-9A-Z]{18}$'),
      constraint incubators_region_check check (length(btrim(region)) between 1 and 100)
    );

    create table public.incubated_enterprises (
      id uuid not null default gen_random_uuid(),
      incubator_id uuid not null,
      name text not null,
      credit_code text not null,
      entered_on date not null,
      graduated_on date,
${registrationColumns}${registryRules('incubated_enterprises')}      constraint incubated_enterprises_credit_code_key unique (credit_code),
      constraint incubated_enterprises_incubator_fkey foreign key (incubator_id) references public.incubators (id),
      constraint incubated_enterprises_credit_code_check check (credit_code ~ '^[0-9A-Z]{18}$'),
      constraint incubated_enterprises_dates check (graduated_on is null or graduated_on >= entered_on)
    );

    create table public.incubator_reward_claims (
      id uuid not null,
      workflow_id text not null,
      enterprise_id uuid not null,
      incubator_id uuid not null,
      kind text not null,
      exchange text,
      document_no text not null,
      event_on date not null,
      policy_id uuid not null,
      amount_each numeric(18,2) not null,
      status text not null default 'FILED',
${decisionColumns}      operator_entry_id bigint,
      enterprise_entry_id bigint,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
${claimRules('incubator_reward_claims')}      constraint incubator_reward_claims_enterprise_fkey foreign key (enterprise_id) references public.incubated_enterprises (id),
      constraint incubator_reward_claims_incubator_fkey foreign key (incubator_id) references public.incubators (id),
      constraint incubator_reward_claims_operator_entry_fkey foreign key (operator_entry_id) references public.ledger_entries (id),
      constraint incubator_reward_claims_enterprise_entry_fkey foreign key (enterprise_entry_id) references public.ledger_entries (id),
      constraint incubator_reward_claims_kind_check check (kind in ('high_tech', 'listing', 'neeq_transfer')),
      constraint incubator_reward_claims_exchange_check check ((kind = 'listing' and exchange in ('regional', 'neeq')) or (kind = 'neeq_transfer' and exchange = 'neeq') or (kind = 'high_tech' and exchange is null)),
      constraint incubator_reward_claims_document_check check (length(btrim(document_no)) between 1 and 100),
      constraint incubator_reward_claims_amount_check check (amount_each > 0),
      constraint incubator_reward_claims_paid check ((status = 'PAID') = (operator_entry_id is not null and enterprise_entry_id is not null))
    );
    -- One reward per enterprise and kind of event: a second claim for the same event is refused
    -- here, whoever writes it (a refused or rejected claim may be filed again).
    create unique index incubator_reward_claims_once on public.incubator_reward_claims (enterprise_id, kind)
      where status not in ('REFUSED', 'REJECTED');
    create index incubator_reward_claims_created on public.incubator_reward_claims (created_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table public.incubator_reward_claims;
    drop table public.incubated_enterprises;
    drop table public.incubators;
    drop table public.training_claim_lines;
    drop table public.training_claims;
  `);
}
