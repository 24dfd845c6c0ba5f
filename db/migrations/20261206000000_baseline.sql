-- The baseline: every table of loanflow, with its constraints and indexes, as the migrations
-- before it had left them (squashed when nothing had been released). Tables change from here on by
-- versioned migrations beside this file. The functions, the triggers that call them and the views
-- are not here: each lives in one file under db/sql, applied after the migrations
-- (docs/adr/0001-sql-as-sql.md). The append-only and guard triggers named in the comments below
-- are those files'.

create extension if not exists pgcrypto;

-- ---- organisations and users: everything else hangs off them --------------------------------
create table public.organisations (
  id uuid not null default gen_random_uuid(),
  type text not null,
  name text not null,
  region text not null,
  created_at timestamptz not null default current_timestamp,
  constraint organisations_pkey primary key (id),
  constraint organisations_name_unique unique (name),
  constraint organisations_type_check check (type in ('training_institution', 'community', 'guarantee_company', 'bank', 'finance_bureau'))
);

-- Officers belong to exactly one organisation; applicants and the admin to none. Accounts change
-- only through the admin path (db/sql/users); users are never deleted (deactivate instead).
create table public.users (
  id uuid not null default gen_random_uuid(),
  username text not null,
  password_hash text not null,
  role text not null,
  org_id uuid,
  id_number text,
  name text,
  phone text,
  active boolean not null default true,
  created_at timestamptz not null default current_timestamp,
  token_version integer not null default 0,
  constraint users_pkey primary key (id),
  constraint users_username_unique unique (username),
  constraint users_org_id_foreign foreign key (org_id) references public.organisations (id),
  constraint users_org_check check (((role in ('applicant', 'admin')) and (org_id is null)) or ((role not in ('applicant', 'admin')) and (org_id is not null))),
  constraint users_role_check check (role in ('applicant', 'training_officer', 'community_officer', 'guarantee_reviewer', 'guarantee_approver', 'bank_officer', 'finance_officer', 'finance_approver', 'auditor', 'admin'))
);
create unique index users_applicant_id_number on public.users (id_number) where (role = 'applicant');

-- ---- intake and decisions up to disbursal ------------------------------------------------------
-- Policy versions; `seq` orders versions with the same effective date (the newest among equals wins).
create table public.policies (
  id uuid not null default gen_random_uuid(),
  seq bigserial,
  effective_from date not null,
  params jsonb not null,
  created_by uuid,
  created_at timestamptz not null default current_timestamp,
  constraint policies_pkey primary key (id),
  constraint policies_created_by_foreign foreign key (created_by) references public.users (id)
);
create index policies_effective_from_seq_index on public.policies (effective_from, seq);

create table public.certificates (
  certificate_no text not null,
  institution_id uuid not null,
  holder_id_number text not null,
  holder_name text not null,
  course text not null,
  issued_on date not null,
  registered_by uuid not null,
  registered_at timestamptz not null default current_timestamp,
  revoked_at timestamptz,
  revoked_by uuid,
  revocation_reason text,
  constraint certificates_pkey primary key (certificate_no),
  constraint certificates_institution_id_foreign foreign key (institution_id) references public.organisations (id),
  constraint certificates_registered_by_foreign foreign key (registered_by) references public.users (id),
  constraint certificates_revoked_by_foreign foreign key (revoked_by) references public.users (id),
  constraint certificates_course_check check (course in ('SYB', 'GYB', 'IYB')),
  constraint certificates_revocation_check check ((revoked_at is null) = (revocation_reason is null))
);
create index certificates_holder_id_number_index on public.certificates (holder_id_number);

-- The applications read model. One application in progress per person, guaranteed by the
-- database even under races (applications_one_active_per_person).
create table public.applications (
  id uuid not null,
  workflow_id text not null,
  applicant_user_id uuid not null,
  id_number text not null,
  name text not null,
  phone text not null,
  target_group text not null,
  certificate_no text not null,
  community_id uuid not null,
  guarantee_company_id uuid not null,
  bank_id uuid,
  requested_amount numeric(18,2) not null,
  term_months integer not null,
  repayment_method text not null,
  business_plan text not null,
  policy_id uuid not null,
  submitted_on date not null,
  status text not null,
  counter_guarantee_type text,
  recommended_amount numeric(18,2),
  reviewed_by uuid,
  approved_amount numeric(18,2),
  loan_id uuid,
  end_reason text,
  step_deadline_at timestamptz,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp,
  constraint applications_pkey primary key (id),
  constraint applications_workflow_id_unique unique (workflow_id),
  constraint applications_applicant_user_id_foreign foreign key (applicant_user_id) references public.users (id),
  constraint applications_bank_id_foreign foreign key (bank_id) references public.organisations (id),
  constraint applications_community_id_foreign foreign key (community_id) references public.organisations (id),
  constraint applications_guarantee_company_id_foreign foreign key (guarantee_company_id) references public.organisations (id),
  constraint applications_policy_id_foreign foreign key (policy_id) references public.policies (id),
  constraint applications_reviewed_by_foreign foreign key (reviewed_by) references public.users (id),
  constraint applications_amounts_check check ((requested_amount > 0) and ((approved_amount is null) or (approved_amount > 0)) and (term_months > 0)),
  constraint applications_status_check check (status in ('SUBMITTED', 'AWAITING_COUNTER_GUARANTEE', 'AWAITING_GUARANTEE_REVIEW', 'AWAITING_GUARANTEE_APPROVAL', 'AWAITING_DISBURSAL', 'REPAYING', 'REPAID', 'REJECTED', 'WITHDRAWN', 'EXPIRED', 'DEFAULTED'))
);
create index applications_applicant_user_id_index on public.applications (applicant_user_id);
create index applications_bank_id_status_index on public.applications (bank_id, status);
create index applications_community_id_status_index on public.applications (community_id, status);
create index applications_guarantee_company_id_status_index on public.applications (guarantee_company_id, status);
create index applications_id_number_index on public.applications (id_number);
create unique index applications_one_active_per_person on public.applications (id_number) where (status in ('SUBMITTED', 'AWAITING_COUNTER_GUARANTEE', 'AWAITING_GUARANTEE_REVIEW', 'AWAITING_GUARANTEE_APPROVAL', 'AWAITING_DISBURSAL'));
create index applications_status_index on public.applications (status);

-- The loan a disbursal creates, with its servicing state; the default and its compensation split
-- by the policy's loss sharing.
create table public.loans (
  id uuid not null,
  application_id uuid not null,
  bank_id uuid not null,
  borrower_id_number text not null,
  contract_no text not null,
  principal numeric(18,2) not null,
  annual_rate numeric(9,6) not null,
  disbursed_on date not null,
  term_months integer not null,
  repayment_method text not null,
  bank_reference text not null,
  policy_id uuid not null,
  status text not null default 'REPAYING',
  created_at timestamptz not null default current_timestamp,
  guarantee_company_id uuid,
  workflow_id text,
  extended_months integer not null default 0,
  maturity_on date,
  outstanding_principal numeric(18,2),
  ended_on date,
  end_reason text,
  defaulted_on date,
  loss_principal numeric(18,2),
  loss_interest numeric(18,2),
  compensated_by_fund numeric(18,2),
  borne_by_bank numeric(18,2),
  compensated_by_company numeric(18,2),
  recovered numeric(18,2) not null default '0'::numeric,
  updated_at timestamptz not null default current_timestamp,
  constraint loans_pkey primary key (id),
  constraint loans_application_id_unique unique (application_id),
  constraint loans_bank_id_contract_no_unique unique (bank_id, contract_no),
  constraint loans_application_id_foreign foreign key (application_id) references public.applications (id),
  constraint loans_bank_id_foreign foreign key (bank_id) references public.organisations (id),
  constraint loans_guarantee_company_id_foreign foreign key (guarantee_company_id) references public.organisations (id),
  constraint loans_policy_id_foreign foreign key (policy_id) references public.policies (id),
  constraint loans_amounts_check check ((principal > 0) and (annual_rate > 0) and (term_months > 0)),
  constraint loans_extension_check check (extended_months >= 0),
  constraint loans_recovered_check check ((recovered >= 0) and (recovered <= (coalesce(compensated_by_fund, 0) + coalesce(compensated_by_company, 0)))),
  constraint loans_status_check check (status in ('REPAYING', 'REPAID', 'DEFAULTED'))
);
create index loans_bank_id_status_index on public.loans (bank_id, status);
create index loans_borrower_id_number_index on public.loans (borrower_id_number);

-- Each step of an application; `idempotency_key` is the workflow's step key, so a retried activity
-- finds its row and writes nothing twice. Append-only.
create table public.application_history (
  id bigserial,
  application_id uuid not null,
  step text not null,
  decision text not null,
  by_user_id uuid,
  by_username text,
  role text,
  org_id uuid,
  at timestamptz not null,
  reason text,
  amount numeric(18,2),
  details jsonb,
  idempotency_key text not null,
  constraint application_history_pkey primary key (id),
  constraint application_history_idempotency_key_unique unique (idempotency_key),
  constraint application_history_application_id_foreign foreign key (application_id) references public.applications (id),
  constraint application_history_by_user_id_foreign foreign key (by_user_id) references public.users (id),
  constraint application_history_org_id_foreign foreign key (org_id) references public.organisations (id)
);
create index application_history_application_id_id_index on public.application_history (application_id, id);

-- The audit trail: append-only. request_id is the API's own id; what the caller sent as its own is
-- kept apart in client_request_id, bounded and printable, for correlation only.
create table public.audit_log (
  id bigserial,
  at timestamptz not null default current_timestamp,
  actor_user_id uuid,
  actor_username text,
  actor_role text,
  actor_org_id uuid,
  action text not null,
  entity_type text not null,
  entity_id text not null,
  reason text,
  request_id text,
  payload jsonb,
  idempotency_key text,
  client_request_id text,
  constraint audit_log_pkey primary key (id),
  constraint audit_log_idempotency_key_unique unique (idempotency_key),
  constraint audit_log_actor_org_id_foreign foreign key (actor_org_id) references public.organisations (id),
  constraint audit_log_actor_user_id_foreign foreign key (actor_user_id) references public.users (id),
  constraint audit_log_client_request_id_check check (client_request_id ~ '^[ -~]{1,128}$')
);
create index audit_log_actor_user_id_index on public.audit_log (actor_user_id);
create index audit_log_entity_type_entity_id_index on public.audit_log (entity_type, entity_id);

-- HTTP idempotency: a stored reply is final; a pending key holds a lease; every key expires.
create table public.idempotency_keys (
  user_id uuid not null,
  key text not null,
  method text not null,
  path text not null,
  request_hash text not null,
  status_code integer,
  response jsonb,
  created_at timestamptz not null default current_timestamp,
  completed_at timestamptz,
  lease_until timestamptz not null default (now() + '00:01:00'::interval),
  expires_at timestamptz not null default (now() + '24:00:00'::interval),
  constraint idempotency_keys_pkey primary key (user_id, key),
  constraint idempotency_keys_user_id_foreign foreign key (user_id) references public.users (id)
);
create index idempotency_keys_expires on public.idempotency_keys (expires_at);

-- ---- the ledger (docs/ledger.md) ----------------------------------------------------------------
-- Quarters; open and closed only through period_close / period_reopen. A closed quarter takes no posting.
create table public.accounting_periods (
  quarter text not null,
  status text not null default 'open',
  closed_at timestamptz,
  closed_by uuid,
  updated_at timestamptz not null default now(),
  starts_on date generated always as (make_date((substr(quarter, 1, 4))::integer, ((((substr(quarter, 6, 1))::integer - 1) * 3) + 1), 1)) stored,
  ends_on date generated always as ((make_date(((substr(quarter, 1, 4))::integer + ((substr(quarter, 6, 1) = '4'))::integer),
case substr(quarter, 6, 1)
    when '4' then 1
    else (((substr(quarter, 6, 1))::integer * 3) + 1)
end, 1) - 1)) stored,
  constraint accounting_periods_pkey primary key (quarter),
  constraint accounting_periods_check check ((status = 'open') or (closed_at is not null)),
  constraint accounting_periods_quarter_check check (quarter ~ '^[0-9]{4}Q[1-4]$'),
  constraint accounting_periods_status_check check (status in ('open', 'closed'))
);

-- The special fund: one per finance bureau and year; identity columns fixed, never deleted.
create table public.funds (
  id uuid not null default gen_random_uuid(),
  year integer not null,
  finance_bureau_org_id uuid not null,
  name text not null,
  created_at timestamptz not null default now(),
  constraint funds_pkey primary key (id),
  constraint funds_finance_bureau_org_id_year_key unique (finance_bureau_org_id, year),
  constraint funds_finance_bureau_org_id_fkey foreign key (finance_bureau_org_id) references public.organisations (id),
  constraint funds_name_check check ((length(name) >= 1) and (length(name) <= 200)),
  constraint funds_year_check check ((year >= 2000) and (year <= 2200))
);

-- The chart: one row per kind of account, from db/ledger/chart.ts (seeded by migrateLatest).
-- Memo accounts hold off-balance quantities and must balance among themselves.
create table public.ledger_chart (
  kind text not null,
  code_pattern text not null,
  entity text,
  type text not null,
  normal_side text not null,
  allow_negative boolean not null,
  name text not null,
  constraint ledger_chart_pkey primary key (kind),
  constraint ledger_chart_code_pattern_key unique (code_pattern),
  constraint ledger_chart_check check ((type = 'memo') or ((type in ('asset', 'expense')) and (normal_side = 'debit')) or ((type in ('liability', 'equity', 'income')) and (normal_side = 'credit'))),
  constraint ledger_chart_entity_check check (entity in ('fund', 'bank', 'guarantee_company', 'finance_bureau')),
  constraint ledger_chart_normal_side_check check (normal_side in ('debit', 'credit')),
  constraint ledger_chart_type_check check (type in ('asset', 'liability', 'equity', 'income', 'expense', 'memo'))
);

-- Accounts come into being on first use, from the one chart kind their code matches.
create table public.ledger_accounts (
  id bigint generated always as identity,
  code text not null,
  kind text not null,
  type text not null,
  normal_side text not null,
  allow_negative boolean not null,
  name text not null,
  created_at timestamptz not null default now(),
  constraint ledger_accounts_pkey primary key (id),
  constraint ledger_accounts_code_key unique (code),
  constraint ledger_accounts_kind_fkey foreign key (kind) references public.ledger_chart (kind),
  constraint ledger_accounts_code_check check ((code ~ '^[a-z_]+(:[A-Za-z0-9_-]+)+$') and (length(code) <= 200))
);

-- Maintained by the posting function only, under row locks taken in account-id order; an account
-- that may not go negative never does (checked with a clear error; this CHECK is the backstop).
create table public.ledger_balances (
  account_id bigint not null,
  normal_side text not null,
  allow_negative boolean not null,
  debit_total numeric(20,2) not null default 0,
  credit_total numeric(20,2) not null default 0,
  version bigint not null default 0,
  last_entry_id bigint,
  updated_at timestamptz not null default now(),
  constraint ledger_balances_pkey primary key (account_id),
  constraint ledger_balances_account_id_fkey foreign key (account_id) references public.ledger_accounts (id),
  constraint ledger_balances_non_negative check ((allow_negative or (
case normal_side
    when 'debit' then (debit_total - credit_total)
    else (credit_total - debit_total)
end >= 0))),
  constraint ledger_balances_normal_side_check check (normal_side in ('debit', 'credit'))
);

-- Entries: append-only; `txid` and `created_at` are the writer's own. A reversal points at its
-- original, at most once. Physical order follows insertion, so a BRIN index serves business dates.
create table public.ledger_entries (
  id bigint generated always as identity,
  idempotency_key text not null,
  posted_on date not null,
  kind text not null,
  description text not null default '',
  metadata jsonb not null default '{}'::jsonb,
  reverses_entry_id bigint,
  txid bigint not null default ((pg_current_xact_id())::text)::bigint,
  created_at timestamptz not null default now(),
  constraint ledger_entries_pkey primary key (id),
  constraint ledger_entries_idempotency_key_key unique (idempotency_key),
  constraint ledger_entries_check check ((reverses_entry_id is null) or (reverses_entry_id <> id)),
  constraint ledger_entries_description_check check (length(description) <= 1000),
  constraint ledger_entries_idempotency_key_check check ((length(idempotency_key) >= 1) and (length(idempotency_key) <= 255)),
  constraint ledger_entries_kind_check check ((length(kind) <= 64) and (kind ~ '^[a-z][a-z0-9_.]*$')),
  constraint ledger_entries_metadata_check check (jsonb_typeof(metadata) = 'object')
);
create index ledger_entries_posted_on on public.ledger_entries using brin (posted_on);
create unique index ledger_entries_reverses_once on public.ledger_entries (reverses_entry_id) where (reverses_entry_id is not null);
create index ledger_entries_txid on public.ledger_entries (txid, id);

-- entry_id and account_id are checked set-based by the posting function, once per call rather
-- than by per-row foreign-key probes; rows are never deleted, so nothing can dangle later.
create table public.ledger_lines (
  entry_id bigint not null,
  line_no smallint not null,
  account_id bigint not null,
  side text not null,
  amount numeric(18,2) not null,
  constraint ledger_lines_pkey primary key (entry_id, line_no),
  constraint ledger_lines_amount_check check (amount > 0),
  constraint ledger_lines_line_no_check check (line_no > 0),
  constraint ledger_lines_side_check check (side in ('debit', 'credit'))
);
create index ledger_lines_account on public.ledger_lines (account_id, entry_id);

-- The hash chain, sealed in batches after commit: each seal holds, in chain order, the ids of the
-- entries it chains and each entry's hash; seals tile the chain (ledger_seals_after_insert).
create table public.ledger_seals (
  id bigint generated always as identity,
  first_seq bigint not null,
  last_seq bigint not null,
  entries integer not null,
  prev_hash text not null,
  head_hash text not null,
  sealed_at timestamptz not null default now(),
  sealed_by text not null default current_user,
  entry_ids bigint[] not null,
  hashes text[] not null,
  constraint ledger_seals_pkey primary key (id),
  constraint ledger_seals_arrays_check check ((cardinality(entry_ids) = entries) and (array_position(entry_ids, null::bigint) is null) and (cardinality(hashes) = entries) and (octet_length(array_to_string(hashes, '')) = (64 * entries)) and (array_to_string(hashes, '') !~ '[^0-9a-f]')),
  constraint ledger_seals_check check (((last_seq - first_seq) + 1) = entries),
  constraint ledger_seals_entries_check check (entries > 0),
  constraint ledger_seals_head_hash_check check ((length(head_hash) = 64) and (head_hash !~ '[^0-9a-f]')),
  constraint ledger_seals_prev_hash_check check ((length(prev_hash) = 64) and (prev_hash !~ '[^0-9a-f]'))
);
-- Arrays of hashes do not compress: stored out of line as they are, without trying.
alter table public.ledger_seals alter column entry_ids set storage external, alter column hashes set storage external;
create unique index ledger_seals_first_seq on public.ledger_seals (first_seq);
create unique index ledger_seals_last_seq on public.ledger_seals (last_seq);

-- ---- loan servicing and the interest subsidy ---------------------------------------------------
-- The loan's periods as its workflow plans them; `subsidy` is what the period earns if paid on time.
create table public.loan_periods (
  loan_id uuid not null,
  period integer not null,
  due_on date not null,
  quarter text not null,
  principal numeric(18,2) not null,
  interest numeric(18,2) not null,
  subsidy numeric(18,2) not null,
  outstanding_after numeric(18,2) not null,
  extended boolean not null default false,
  paid numeric(18,2) not null default '0'::numeric,
  last_paid_on date,
  status text not null default 'scheduled',
  updated_at timestamptz not null default current_timestamp,
  constraint loan_periods_pkey primary key (loan_id, period),
  constraint loan_periods_loan_id_foreign foreign key (loan_id) references public.loans (id),
  constraint loan_periods_check check ((period > 0) and (principal >= 0) and (interest >= 0) and (subsidy >= 0) and (subsidy <= interest) and (paid >= 0) and (paid <= (principal + interest)) and ((not extended) or (subsidy = 0)) and (status in ('scheduled', 'partially_paid', 'overdue', 'paid_on_time', 'paid_late', 'defaulted')))
);

-- A repayment's bank reference is used once per loan. Append-only.
create table public.loan_repayments (
  id bigserial,
  loan_id uuid not null,
  period integer not null,
  kind text not null,
  amount numeric(18,2) not null,
  interest_part numeric(18,2) not null,
  principal_part numeric(18,2) not null,
  paid_on date not null,
  bank_reference text not null,
  recorded_by uuid not null,
  recorded_at timestamptz not null default current_timestamp,
  ledger_entry_id bigint not null,
  idempotency_key text not null,
  constraint loan_repayments_pkey primary key (id),
  constraint loan_repayments_idempotency_key_unique unique (idempotency_key),
  constraint loan_repayments_loan_id_bank_reference_unique unique (loan_id, bank_reference),
  constraint loan_repayments_ledger_entry_id_foreign foreign key (ledger_entry_id) references public.ledger_entries (id),
  constraint loan_repayments_loan_id_foreign foreign key (loan_id) references public.loans (id),
  constraint loan_repayments_recorded_by_foreign foreign key (recorded_by) references public.users (id),
  constraint loan_repayments_check check ((kind in ('scheduled', 'payoff')) and (amount > 0) and (interest_part >= 0) and (principal_part >= 0) and ((interest_part + principal_part) = amount))
);
create index loan_repayments_loan_id_paid_on_index on public.loan_repayments (loan_id, paid_on);

-- A period accrues subsidy at most once. Append-only.
create table public.subsidy_accruals (
  loan_id uuid not null,
  period integer not null,
  bank_id uuid not null,
  quarter text not null,
  due_on date not null,
  amount numeric(18,2) not null,
  accrued_on date not null,
  ledger_entry_id bigint not null,
  idempotency_key text not null,
  created_at timestamptz not null default current_timestamp,
  constraint subsidy_accruals_pkey primary key (loan_id, period),
  constraint subsidy_accruals_idempotency_key_unique unique (idempotency_key),
  constraint subsidy_accruals_loan_id_period_amount_unique unique (loan_id, period, amount),
  constraint subsidy_accruals_bank_id_foreign foreign key (bank_id) references public.organisations (id),
  constraint subsidy_accruals_ledger_entry_id_foreign foreign key (ledger_entry_id) references public.ledger_entries (id),
  constraint subsidy_accruals_loan_id_foreign foreign key (loan_id) references public.loans (id),
  constraint subsidy_accruals_amount_check check (amount > 0)
);
create index subsidy_accruals_bank_id_quarter_index on public.subsidy_accruals (bank_id, quarter);

-- One live claim per bank and quarter.
create table public.subsidy_claims (
  id uuid not null,
  bank_id uuid not null,
  quarter text not null,
  workflow_id text not null,
  status text not null,
  late boolean not null,
  total numeric(18,2) not null,
  filed_on date not null,
  filed_by uuid not null,
  checked_by uuid,
  checked_at timestamptz,
  check_reason text,
  approved_by uuid,
  approved_at timestamptz,
  approval_reason text,
  rejected_by uuid,
  rejected_at timestamptz,
  rejection_reason text,
  fund_id uuid,
  paid_on date,
  payout_entry_id bigint,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp,
  constraint subsidy_claims_pkey primary key (id),
  constraint subsidy_claims_approved_by_foreign foreign key (approved_by) references public.users (id),
  constraint subsidy_claims_bank_id_foreign foreign key (bank_id) references public.organisations (id),
  constraint subsidy_claims_checked_by_foreign foreign key (checked_by) references public.users (id),
  constraint subsidy_claims_filed_by_foreign foreign key (filed_by) references public.users (id),
  constraint subsidy_claims_fund_id_foreign foreign key (fund_id) references public.funds (id),
  constraint subsidy_claims_payout_entry_id_foreign foreign key (payout_entry_id) references public.ledger_entries (id),
  constraint subsidy_claims_rejected_by_foreign foreign key (rejected_by) references public.users (id),
  constraint subsidy_claims_check check ((quarter ~ '^[0-9]{4}Q[1-4]$') and (total > 0) and (status in ('SUBMITTED', 'CHECKED', 'PENDING_BUDGET', 'PAID', 'PAYOUT_REVERSED', 'REJECTED')) and ((status <> 'REJECTED') or (rejection_reason is not null)) and ((status not in ('PAID', 'PAYOUT_REVERSED')) or ((payout_entry_id is not null) and (paid_on is not null))) and ((status <> 'PAYOUT_REVERSED') or (fund_id is not null)) and ((approved_by is null) or (approved_by is distinct from checked_by)))
);
create index subsidy_claims_bank_id_quarter_index on public.subsidy_claims (bank_id, quarter);
create unique index subsidy_claims_one_live_per_bank_quarter on public.subsidy_claims (bank_id, quarter) where (status in ('SUBMITTED', 'CHECKED', 'PENDING_BUDGET'));
create index subsidy_claims_status_index on public.subsidy_claims (status);

-- Only a period that accrued can be claimed, for exactly the amount that accrued (the foreign key on
-- loan, period and amount); a period is in at most one live claim; a paid line is never voided.
create table public.subsidy_claim_lines (
  claim_id uuid not null,
  loan_id uuid not null,
  period integer not null,
  amount numeric(18,2) not null,
  balance_at_start numeric(18,2) not null,
  balance_at_end numeric(18,2) not null,
  voided boolean not null default false,
  paid boolean not null default false,
  constraint subsidy_claim_lines_pkey primary key (claim_id, loan_id, period),
  constraint subsidy_claim_lines_claim_id_foreign foreign key (claim_id) references public.subsidy_claims (id),
  constraint subsidy_claim_lines_loan_id_period_amount_foreign foreign key (loan_id, period, amount) references public.subsidy_accruals (loan_id, period, amount),
  constraint subsidy_claim_lines_check check ((amount > 0) and (balance_at_start >= 0) and (balance_at_end >= 0) and (not (voided and paid)))
);
create unique index subsidy_claim_lines_claimed_once on public.subsidy_claim_lines (loan_id, period) where (not voided);

-- The loan's own step history: the business date it happened on and when it was written. Append-only.
create table public.loan_events (
  id bigserial,
  loan_id uuid not null,
  step text not null,
  "on" date not null,
  at timestamptz not null default current_timestamp,
  by_user_id uuid,
  by_username text,
  role text,
  period integer,
  amount numeric(18,2),
  detail text,
  idempotency_key text not null,
  constraint loan_events_pkey primary key (id),
  constraint loan_events_idempotency_key_unique unique (idempotency_key),
  constraint loan_events_by_user_id_foreign foreign key (by_user_id) references public.users (id),
  constraint loan_events_loan_id_foreign foreign key (loan_id) references public.loans (id)
);
create index loan_events_loan_id_id_index on public.loan_events (loan_id, id);

-- The borrowers' integrity records. Append-only.
create table public.integrity_events (
  id bigserial,
  id_number text not null,
  loan_id uuid not null,
  kind text not null,
  "on" date not null,
  period integer,
  amount numeric(18,2),
  detail text not null,
  idempotency_key text not null,
  created_at timestamptz not null default current_timestamp,
  constraint integrity_events_pkey primary key (id),
  constraint integrity_events_idempotency_key_unique unique (idempotency_key),
  constraint integrity_events_loan_id_foreign foreign key (loan_id) references public.loans (id),
  constraint integrity_events_kind_check check (kind in ('disbursed', 'on_time', 'late', 'extended', 'repaid', 'early_repaid', 'default', 'compensation', 'recovery'))
);
create index integrity_events_id_number_id_index on public.integrity_events (id_number, id);

-- ---- the finance bureau's records -------------------------------------------------------------
-- A reconciliation moves once, from importing to imported; `seq` orders the imports of one bank
-- and quarter (the newest counts). Nothing of a closed quarter changes.
create table public.reconciliations (
  id uuid not null,
  seq bigint generated always as identity,
  bank_id uuid not null,
  quarter text not null,
  source_format text not null,
  file_name text not null,
  file_sha256 text not null,
  status text not null,
  line_count integer,
  statement_total numeric(20,2),
  payout_count integer,
  payout_total numeric(20,2),
  matched integer,
  missing_in_ledger integer,
  missing_in_statement integer,
  amount_differs integer,
  date_differs integer,
  duplicated integer,
  imported_by uuid not null,
  imported_at timestamptz not null default now(),
  request_id text,
  constraint reconciliations_pkey primary key (id),
  constraint reconciliations_seq_key unique (seq),
  constraint reconciliations_bank_id_fkey foreign key (bank_id) references public.organisations (id),
  constraint reconciliations_imported_by_fkey foreign key (imported_by) references public.users (id),
  constraint reconciliations_check check ((status = 'importing') or ((line_count is not null) and (statement_total is not null) and (payout_count is not null) and (payout_total is not null) and (matched is not null) and (missing_in_ledger is not null) and (missing_in_statement is not null) and (amount_differs is not null) and (date_differs is not null) and (duplicated is not null))),
  constraint reconciliations_file_name_check check ((length(file_name) >= 1) and (length(file_name) <= 255)),
  constraint reconciliations_file_sha256_check check (file_sha256 ~ '^[0-9a-f]{64}$'),
  constraint reconciliations_quarter_check check (quarter ~ '^[0-9]{4}Q[1-4]$'),
  constraint reconciliations_source_format_check check (source_format in ('csv', 'xlsx')),
  constraint reconciliations_status_check check (status in ('importing', 'imported'))
);
create index reconciliations_bank_quarter on public.reconciliations (bank_id, quarter, seq);
create index reconciliations_quarter on public.reconciliations (quarter, seq);

-- The mismatches of an import: written only while it is importing, then append-only.
create table public.reconciliation_items (
  reconciliation_id uuid not null,
  item_no integer not null,
  kind text not null,
  line_no integer,
  payout_entry_id bigint,
  claim_id uuid,
  note text,
  constraint reconciliation_items_pkey primary key (reconciliation_id, item_no),
  constraint reconciliation_items_reconciliation_id_line_no_key unique (reconciliation_id, line_no),
  constraint reconciliation_items_payout_entry_id_fkey foreign key (payout_entry_id) references public.ledger_entries (id),
  constraint reconciliation_items_reconciliation_id_fkey foreign key (reconciliation_id) references public.reconciliations (id),
  constraint reconciliation_items_check check ((kind = 'missing_in_statement') = (line_no is null)),
  constraint reconciliation_items_check1 check ((kind not in ('missing_in_statement', 'amount_differs', 'date_differs')) or (payout_entry_id is not null)),
  constraint reconciliation_items_item_no_check check (item_no > 0),
  constraint reconciliation_items_kind_check check (kind in ('missing_in_ledger', 'missing_in_statement', 'amount_differs', 'date_differs', 'duplicated'))
);

-- A mismatch is resolved by a new row (an explanation, or a reversal of exactly the item's payout).
create table public.reconciliation_resolutions (
  reconciliation_id uuid not null,
  item_no integer not null,
  kind text not null,
  reason text not null,
  reversal_entry_id bigint,
  resolved_by uuid not null,
  resolved_role text not null,
  resolved_at timestamptz not null default now(),
  request_id text,
  constraint reconciliation_resolutions_pkey primary key (reconciliation_id, item_no),
  constraint reconciliation_resolutions_reconciliation_id_item_no_fkey foreign key (reconciliation_id, item_no) references public.reconciliation_items (reconciliation_id, item_no),
  constraint reconciliation_resolutions_resolved_by_fkey foreign key (resolved_by) references public.users (id),
  constraint reconciliation_resolutions_reversal_entry_id_fkey foreign key (reversal_entry_id) references public.ledger_entries (id),
  constraint reconciliation_resolutions_check check ((kind = 'reversal') = (reversal_entry_id is not null)),
  constraint reconciliation_resolutions_kind_check check (kind in ('explanation', 'reversal')),
  constraint reconciliation_resolutions_reason_check check ((length(btrim(reason)) >= 3) and (length(btrim(reason)) <= 2000))
);

-- A statement's lines: one partition per reconciliation, loaded into a table of its own and attached
-- by statement_lines_begin / statement_lines_finish inside the import's transaction. No per-row
-- foreign key: the partition's trigger checks its reconciliation is importing, once per statement.
create table public.statement_lines (
  reconciliation_id uuid not null,
  line_no integer not null,
  value_date date not null,
  reference text not null,
  amount numeric(18,2) not null,
  description text not null default '',
  outcome text not null,
  payout_entry_id bigint,
  constraint statement_lines_pkey primary key (reconciliation_id, line_no),
  constraint statement_lines_amount_check check (amount > 0),
  constraint statement_lines_check check (((outcome = 'missing_in_ledger') = (payout_entry_id is null)) or (outcome = 'duplicated')),
  constraint statement_lines_description_check check (length(description) <= 500),
  constraint statement_lines_line_no_check check (line_no > 1),
  constraint statement_lines_outcome_check check (outcome in ('matched', 'missing_in_ledger', 'amount_differs', 'date_differs', 'duplicated')),
  constraint statement_lines_reference_check check ((length(reference) >= 1) and (length(reference) <= 100))
) partition by list (reconciliation_id);

-- The import's mismatches, staged: a table of the schema rather than a temporary one (the
-- application's role creates no temporary tables); unlogged, its rows live inside one import.
create unlogged table public.reconciliation_item_stage (
  reconciliation_id uuid not null,
  ord integer not null,
  line_no integer,
  kind text not null,
  entry_id bigint,
  claim_id uuid,
  reference text
);
create index reconciliation_item_stage_rec on public.reconciliation_item_stage (reconciliation_id, ord);

-- Maker-checker: a finance officer or approver proposes a top-up or a reopening; a different
-- active finance approver decides, once.
create table public.finance_proposals (
  id uuid not null default gen_random_uuid(),
  kind text not null,
  fund_id uuid,
  amount numeric(18,2),
  quarter text,
  reason text not null,
  status text not null default 'pending',
  proposed_by uuid not null,
  proposed_role text not null,
  proposed_at timestamptz not null default now(),
  request_id text,
  decided_by uuid,
  decided_role text,
  decided_at timestamptz,
  decision_reason text,
  ledger_entry_id bigint,
  constraint finance_proposals_pkey primary key (id),
  constraint finance_proposals_decided_by_fkey foreign key (decided_by) references public.users (id),
  constraint finance_proposals_fund_id_fkey foreign key (fund_id) references public.funds (id),
  constraint finance_proposals_ledger_entry_id_fkey foreign key (ledger_entry_id) references public.ledger_entries (id),
  constraint finance_proposals_proposed_by_fkey foreign key (proposed_by) references public.users (id),
  constraint finance_proposals_amount_check check (amount > 0),
  constraint finance_proposals_check check (((kind = 'fund_top_up') and (fund_id is not null) and (amount is not null) and (quarter is null)) or ((kind = 'period_reopen') and (quarter is not null) and (fund_id is null) and (amount is null))),
  constraint finance_proposals_check1 check ((status = 'pending') = (decided_by is null)),
  constraint finance_proposals_check2 check ((ledger_entry_id is null) or ((kind = 'fund_top_up') and (status = 'approved'))),
  constraint finance_proposals_four_eyes check (decided_by is distinct from proposed_by),
  constraint finance_proposals_kind_check check (kind in ('fund_top_up', 'period_reopen')),
  constraint finance_proposals_quarter_check check (quarter ~ '^[0-9]{4}Q[1-4]$'),
  constraint finance_proposals_reason_check check (length(btrim(reason)) >= 3),
  constraint finance_proposals_status_check check (status in ('pending', 'approved', 'rejected'))
);
create index finance_proposals_fund on public.finance_proposals (fund_id, proposed_at) where (fund_id is not null);
create unique index finance_proposals_one_reopen on public.finance_proposals (quarter) where ((kind = 'period_reopen') and (status = 'pending'));
create index finance_proposals_quarter on public.finance_proposals (quarter, proposed_at) where (quarter is not null);

-- Sign-in counters of api/auth/login-limits.ts (rate-limiter-flexible's PostgreSQL store, whose
-- layout this is); made here because the application's role may not create tables.
create table public.login_limits (
  key character varying(255) not null,
  points integer not null default 0,
  expire bigint,
  constraint login_limits_pkey primary key (key)
);
create index login_limits_expire on public.login_limits (expire);

-- Who closed or reopened which quarter, and why. Append-only.
create table public.accounting_period_events (
  id bigint generated always as identity,
  quarter text not null,
  action text not null,
  reason text,
  by_user_id uuid not null,
  by_role text not null,
  at timestamptz not null default now(),
  request_id text,
  proposal_id uuid,
  constraint accounting_period_events_pkey primary key (id),
  constraint accounting_period_events_by_user_id_fkey foreign key (by_user_id) references public.users (id),
  constraint accounting_period_events_proposal_id_fkey foreign key (proposal_id) references public.finance_proposals (id),
  constraint accounting_period_events_action_check check (action in ('close', 'reopen')),
  constraint accounting_period_events_check check ((action = 'close') or (length(btrim(coalesce(reason, ''))) >= 3)),
  constraint accounting_period_events_quarter_check check (quarter ~ '^[0-9]{4}Q[1-4]$')
);
create index accounting_period_events_quarter on public.accounting_period_events (quarter, id);
