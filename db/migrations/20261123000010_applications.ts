import type { Knex } from 'knex';

/**
 * Intake and decisions up to disbursal: policy versions, the certificate registry, the
 * applications read model with its step history, the audit trail and HTTP idempotency keys.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('policies', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    // Orders versions with the same effective date: the newest among equals wins.
    t.bigIncrements('seq', { primaryKey: false });
    t.date('effective_from').notNullable();
    t.jsonb('params').notNullable();
    t.uuid('created_by').references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['effective_from', 'seq']);
  });

  await knex.schema.createTable('certificates', (t) => {
    t.text('certificate_no').primary();
    t.uuid('institution_id').notNullable().references('organisations.id');
    t.text('holder_id_number').notNullable();
    t.text('holder_name').notNullable();
    t.text('course').notNullable();
    t.date('issued_on').notNullable();
    t.uuid('registered_by').notNullable().references('users.id');
    t.timestamp('registered_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
    t.uuid('revoked_by').references('users.id');
    t.text('revocation_reason');
    t.index(['holder_id_number']);
  });
  await knex.raw(`alter table certificates add constraint certificates_course_check check (course in ('SYB','GYB','IYB'))`);
  await knex.raw(`alter table certificates add constraint certificates_revocation_check
    check ((revoked_at is null) = (revocation_reason is null))`);

  await knex.schema.createTable('applications', (t) => {
    t.uuid('id').primary();
    t.text('workflow_id').notNullable().unique();
    t.uuid('applicant_user_id').notNullable().references('users.id');
    t.text('id_number').notNullable();
    t.text('name').notNullable();
    t.text('phone').notNullable();
    t.text('target_group').notNullable();
    t.text('certificate_no').notNullable();
    t.uuid('community_id').notNullable().references('organisations.id');
    t.uuid('guarantee_company_id').notNullable().references('organisations.id');
    t.uuid('bank_id').references('organisations.id');
    t.decimal('requested_amount', 18, 2).notNullable();
    t.integer('term_months').notNullable();
    t.text('repayment_method').notNullable();
    t.text('business_plan').notNullable();
    t.uuid('policy_id').notNullable().references('policies.id');
    t.date('submitted_on').notNullable();
    t.text('status').notNullable();
    t.text('counter_guarantee_type');
    t.decimal('recommended_amount', 18, 2);
    t.uuid('reviewed_by').references('users.id');
    t.decimal('approved_amount', 18, 2);
    t.uuid('loan_id');
    t.text('end_reason');
    t.timestamp('step_deadline_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['status']);
    t.index(['community_id', 'status']);
    t.index(['guarantee_company_id', 'status']);
    t.index(['bank_id', 'status']);
    t.index(['applicant_user_id']);
    t.index(['id_number']);
  });
  await knex.raw(`alter table applications add constraint applications_status_check check (status in (
    'SUBMITTED','AWAITING_COUNTER_GUARANTEE','AWAITING_GUARANTEE_REVIEW','AWAITING_GUARANTEE_APPROVAL',
    'AWAITING_DISBURSAL','REPAYING','REPAID','REJECTED','WITHDRAWN','EXPIRED','DEFAULTED'))`);
  await knex.raw(`alter table applications add constraint applications_amounts_check check (
    requested_amount > 0 and (approved_amount is null or approved_amount > 0) and term_months > 0)`);
  // One application in progress per person, guaranteed by the database even under races.
  await knex.raw(`create unique index applications_one_active_per_person on applications (id_number)
    where status in ('SUBMITTED','AWAITING_COUNTER_GUARANTEE','AWAITING_GUARANTEE_REVIEW',
                     'AWAITING_GUARANTEE_APPROVAL','AWAITING_DISBURSAL')`);

  // The loan a disbursal creates; servicing (schedule, repayments, subsidy) extends it later.
  await knex.schema.createTable('loans', (t) => {
    t.uuid('id').primary();
    t.uuid('application_id').notNullable().unique().references('applications.id');
    t.uuid('bank_id').notNullable().references('organisations.id');
    t.text('borrower_id_number').notNullable();
    t.text('contract_no').notNullable();
    t.decimal('principal', 18, 2).notNullable();
    t.decimal('annual_rate', 9, 6).notNullable();
    t.date('disbursed_on').notNullable();
    t.integer('term_months').notNullable();
    t.text('repayment_method').notNullable();
    t.text('bank_reference').notNullable();
    t.uuid('policy_id').notNullable().references('policies.id');
    t.text('status').notNullable().defaultTo('REPAYING');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['bank_id', 'contract_no']);
    t.index(['borrower_id_number']);
  });
  await knex.raw(`alter table loans add constraint loans_amounts_check check (principal > 0 and annual_rate > 0 and term_months > 0)`);

  await knex.schema.createTable('application_history', (t) => {
    t.bigIncrements('id');
    t.uuid('application_id').notNullable().references('applications.id');
    t.text('step').notNullable();
    t.text('decision').notNullable();
    t.uuid('by_user_id').references('users.id');
    t.text('by_username');
    t.text('role');
    t.uuid('org_id').references('organisations.id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('reason');
    t.decimal('amount', 18, 2);
    t.jsonb('details');
    // The workflow's step key: a retried activity finds its row and writes nothing twice.
    t.text('idempotency_key').notNullable().unique();
    t.index(['application_id', 'id']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.uuid('actor_user_id').references('users.id');
    t.text('actor_username');
    t.text('actor_role');
    t.uuid('actor_org_id').references('organisations.id');
    t.text('action').notNullable();
    t.text('entity_type').notNullable();
    t.text('entity_id').notNullable();
    t.text('reason');
    t.text('request_id');
    t.jsonb('payload');
    t.text('idempotency_key').unique();
    t.index(['entity_type', 'entity_id']);
    t.index(['actor_user_id']);
  });
  // The audit trail is append-only: a decision, once recorded, stays as it was.
  await knex.raw(`
    create or replace function loanflow_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception '% on % is not allowed: the table is append-only', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
    end $$`);
  await knex.raw(`create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function loanflow_refuse_change()`);
  await knex.raw(`create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function loanflow_refuse_change()`);

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.uuid('user_id').notNullable().references('users.id');
    t.text('key').notNullable();
    t.text('method').notNullable();
    t.text('path').notNullable();
    t.text('request_hash').notNullable();
    t.integer('status_code');
    t.jsonb('response');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.primary(['user_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('idempotency_keys');
  await knex.schema.dropTableIfExists('audit_log');
  await knex.raw('drop function if exists loanflow_refuse_change() cascade');
  await knex.schema.dropTableIfExists('application_history');
  await knex.schema.dropTableIfExists('loans');
  await knex.schema.dropTableIfExists('applications');
  await knex.schema.dropTableIfExists('certificates');
  await knex.schema.dropTableIfExists('policies');
}
