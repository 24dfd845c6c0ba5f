import type { Knex } from 'knex';

/**
 * Follow-up of the businesses loans started (docs/programmes.md "Follow-up of businesses"): the
 * visits each loan is due, and the visits recorded. A recorded visit never changes (its trigger is
 * in db/sql/loans/); the schedule's rows change only to note the reminder and
 * the overdue mark the workflow sent.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table public.follow_up_schedule (
      loan_id uuid not null,
      months integer not null,
      due_on date not null,
      overdue_on date not null,
      reminded_at timestamptz,
      overdue_marked_at timestamptz,
      constraint follow_up_schedule_pkey primary key (loan_id, months),
      constraint follow_up_schedule_loan_id_foreign foreign key (loan_id) references public.loans (id),
      constraint follow_up_schedule_months_check check (months between 1 and 600),
      constraint follow_up_schedule_dates_check check (overdue_on > due_on)
    );
    create index follow_up_schedule_due_on_index on public.follow_up_schedule (due_on);

    create table public.follow_up_visits (
      loan_id uuid not null,
      months integer not null,
      visited_on date not null,
      operating_status text not null,
      employees integer not null,
      business_registration_no text,
      note text not null default '',
      late boolean not null,
      recorded_by uuid not null,
      recorded_role text not null,
      recorded_at timestamptz not null default current_timestamp,
      idempotency_key text not null,
      constraint follow_up_visits_pkey primary key (loan_id, months),
      constraint follow_up_visits_idempotency_key_unique unique (idempotency_key),
      constraint follow_up_visits_schedule_foreign foreign key (loan_id, months) references public.follow_up_schedule (loan_id, months),
      constraint follow_up_visits_recorded_by_foreign foreign key (recorded_by) references public.users (id),
      constraint follow_up_visits_status_check check (operating_status in ('operating', 'suspended', 'closed', 'moved')),
      constraint follow_up_visits_employees_check check (employees between 0 and 100000 and (operating_status <> 'operating' or employees >= 1)),
      constraint follow_up_visits_registration_check check (business_registration_no ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
      constraint follow_up_visits_note_check check (length(note) <= 2000),
      constraint follow_up_visits_role_check check (recorded_role in ('community_officer', 'guarantee_reviewer', 'guarantee_approver'))
    );
    create index follow_up_visits_visited_on_index on public.follow_up_visits (visited_on);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists public.follow_up_visits; drop table if exists public.follow_up_schedule;');
}
