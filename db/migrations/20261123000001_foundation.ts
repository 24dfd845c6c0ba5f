import type { Knex } from 'knex';

/**
 * Organisations and users: everything else hangs off them. Business tables arrive in later
 * migrations, one per area.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create extension if not exists pgcrypto');
  await knex.schema.createTable('organisations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('type').notNullable();
    t.text('name').notNullable().unique();
    t.text('region').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table organisations add constraint organisations_type_check
    check (type in ('training_institution','community','guarantee_company','bank','finance_bureau'))`);

  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('username').notNullable().unique();
    t.text('password_hash').notNullable();
    t.text('role').notNullable();
    t.uuid('org_id').references('organisations.id');
    t.text('id_number');
    t.text('name');
    t.text('phone');
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table users add constraint users_role_check check (role in (
    'applicant','training_officer','community_officer','guarantee_reviewer','guarantee_approver',
    'bank_officer','finance_officer','finance_approver','auditor','admin'))`);
  // Officers belong to exactly one organisation; applicants and the admin to none.
  await knex.raw(`alter table users add constraint users_org_check check (
    (role in ('applicant','admin') and org_id is null) or (role not in ('applicant','admin') and org_id is not null))`);
  await knex.raw(`create unique index users_applicant_id_number on users (id_number) where role = 'applicant'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('users');
  await knex.schema.dropTableIfExists('organisations');
}
