import type { Knex } from 'knex';

/**
 * Loan servicing and the interest subsidy (SPEC §1 steps 6–9): the loan's periods as the loan
 * workflow plans them, the bank's repayments, subsidy accruals, quarterly claims with their lines,
 * the loan's own step history and the borrowers' integrity records.
 *
 * What the database itself guarantees, whatever the code does:
 * - a period accrues subsidy at most once (primary key), and only a period that accrued can be
 *   claimed, for exactly the amount that accrued (foreign key on loan, period and amount);
 * - a period is in at most one live claim (partial unique index over lines not voided), and a
 *   paid line can never be voided, so a period can never be claimed or paid twice;
 * - one live claim per bank and quarter; a repayment's bank reference is used once per loan;
 * - repayments, accruals, integrity events and loan history are append-only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('loans', (t) => {
    t.uuid('guarantee_company_id').references('organisations.id');
    t.text('workflow_id');
    t.integer('extended_months').notNullable().defaultTo(0);
    t.date('maturity_on');
    t.decimal('outstanding_principal', 18, 2);
    t.date('ended_on');
    t.text('end_reason');
    // The default and its compensation (代偿), split by the policy's loss sharing.
    t.date('defaulted_on');
    t.decimal('loss_principal', 18, 2);
    t.decimal('loss_interest', 18, 2);
    t.decimal('compensated_by_fund', 18, 2);
    t.decimal('borne_by_bank', 18, 2);
    t.decimal('compensated_by_company', 18, 2);
    t.decimal('recovered', 18, 2).notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['bank_id', 'status']);
  });
  await knex.raw(`alter table loans add constraint loans_status_check check (status in ('REPAYING','REPAID','DEFAULTED'))`);
  await knex.raw(`alter table loans add constraint loans_extension_check check (extended_months >= 0)`);
  await knex.raw(`alter table loans add constraint loans_recovered_check check (
    recovered >= 0 and recovered <= coalesce(compensated_by_fund, 0) + coalesce(compensated_by_company, 0))`);

  await knex.schema.createTable('loan_periods', (t) => {
    t.uuid('loan_id').notNullable().references('loans.id');
    t.integer('period').notNullable();
    t.date('due_on').notNullable();
    t.text('quarter').notNullable();
    t.decimal('principal', 18, 2).notNullable();
    t.decimal('interest', 18, 2).notNullable();
    // The subsidy the period earns if paid on time ("0.00" on extended periods).
    t.decimal('subsidy', 18, 2).notNullable();
    t.decimal('outstanding_after', 18, 2).notNullable();
    t.boolean('extended').notNullable().defaultTo(false);
    t.decimal('paid', 18, 2).notNullable().defaultTo(0);
    t.date('last_paid_on');
    t.text('status').notNullable().defaultTo('scheduled');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['loan_id', 'period']);
  });
  await knex.raw(`alter table loan_periods add constraint loan_periods_check check (
    period > 0 and principal >= 0 and interest >= 0 and subsidy >= 0 and subsidy <= interest
    and paid >= 0 and paid <= principal + interest and (not extended or subsidy = 0)
    and status in ('scheduled','partially_paid','overdue','paid_on_time','paid_late','defaulted'))`);

  await knex.schema.createTable('loan_repayments', (t) => {
    t.bigIncrements('id');
    t.uuid('loan_id').notNullable().references('loans.id');
    t.integer('period').notNullable();
    t.text('kind').notNullable();
    t.decimal('amount', 18, 2).notNullable();
    t.decimal('interest_part', 18, 2).notNullable();
    t.decimal('principal_part', 18, 2).notNullable();
    t.date('paid_on').notNullable();
    t.text('bank_reference').notNullable();
    t.uuid('recorded_by').notNullable().references('users.id');
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.bigInteger('ledger_entry_id').notNullable().references('ledger_entries.id');
    t.text('idempotency_key').notNullable().unique();
    t.unique(['loan_id', 'bank_reference']);
    t.index(['loan_id', 'paid_on']);
  });
  await knex.raw(`alter table loan_repayments add constraint loan_repayments_check check (
    kind in ('scheduled','payoff') and amount > 0 and interest_part >= 0 and principal_part >= 0
    and interest_part + principal_part = amount)`);

  await knex.schema.createTable('subsidy_accruals', (t) => {
    t.uuid('loan_id').notNullable().references('loans.id');
    t.integer('period').notNullable();
    t.uuid('bank_id').notNullable().references('organisations.id');
    t.text('quarter').notNullable();
    t.date('due_on').notNullable();
    t.decimal('amount', 18, 2).notNullable();
    t.date('accrued_on').notNullable();
    t.bigInteger('ledger_entry_id').notNullable().references('ledger_entries.id');
    t.text('idempotency_key').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['loan_id', 'period']);
    t.unique(['loan_id', 'period', 'amount']);
    t.index(['bank_id', 'quarter']);
  });
  await knex.raw(`alter table subsidy_accruals add constraint subsidy_accruals_amount_check check (amount > 0)`);

  await knex.schema.createTable('subsidy_claims', (t) => {
    t.uuid('id').primary();
    t.uuid('bank_id').notNullable().references('organisations.id');
    t.text('quarter').notNullable();
    t.text('workflow_id').notNullable();
    t.text('status').notNullable();
    t.boolean('late').notNullable();
    t.decimal('total', 18, 2).notNullable();
    t.date('filed_on').notNullable();
    t.uuid('filed_by').notNullable().references('users.id');
    t.uuid('checked_by').references('users.id');
    t.timestamp('checked_at', { useTz: true });
    t.text('check_reason');
    t.uuid('approved_by').references('users.id');
    t.timestamp('approved_at', { useTz: true });
    t.text('approval_reason');
    t.uuid('rejected_by').references('users.id');
    t.timestamp('rejected_at', { useTz: true });
    t.text('rejection_reason');
    t.uuid('fund_id').references('funds.id');
    t.date('paid_on');
    t.bigInteger('payout_entry_id').references('ledger_entries.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['bank_id', 'quarter']);
    t.index(['status']);
  });
  await knex.raw(`alter table subsidy_claims add constraint subsidy_claims_check check (
    quarter ~ '^[0-9]{4}Q[1-4]$' and total > 0
    and status in ('SUBMITTED','CHECKED','PENDING_BUDGET','PAID','REJECTED')
    and (status <> 'REJECTED' or rejection_reason is not null)
    and (status <> 'PAID' or (payout_entry_id is not null and paid_on is not null))
    and (approved_by is null or approved_by is distinct from checked_by))`);
  await knex.raw(`create unique index subsidy_claims_one_live_per_bank_quarter on subsidy_claims (bank_id, quarter)
    where status in ('SUBMITTED','CHECKED','PENDING_BUDGET')`);

  await knex.schema.createTable('subsidy_claim_lines', (t) => {
    t.uuid('claim_id').notNullable().references('subsidy_claims.id');
    t.uuid('loan_id').notNullable();
    t.integer('period').notNullable();
    t.decimal('amount', 18, 2).notNullable();
    t.decimal('balance_at_start', 18, 2).notNullable();
    t.decimal('balance_at_end', 18, 2).notNullable();
    // A rejected claim frees its lines for the refiled claim; a paid line stays claimed for good.
    t.boolean('voided').notNullable().defaultTo(false);
    t.boolean('paid').notNullable().defaultTo(false);
    t.primary(['claim_id', 'loan_id', 'period']);
    t.foreign(['loan_id', 'period', 'amount']).references(['loan_id', 'period', 'amount']).inTable('subsidy_accruals');
  });
  await knex.raw(`alter table subsidy_claim_lines add constraint subsidy_claim_lines_check check (
    amount > 0 and balance_at_start >= 0 and balance_at_end >= 0 and not (voided and paid))`);
  await knex.raw(`create unique index subsidy_claim_lines_claimed_once on subsidy_claim_lines (loan_id, period) where not voided`);
  // Once paid, a line can neither be un-paid nor voided: the unique index above then keeps it paid once.
  await knex.raw(`
    create function subsidy_claim_lines_guard() returns trigger language plpgsql as $f$
    begin
      if tg_op = 'DELETE' then
        raise exception 'subsidy_claim_lines: delete refused' using errcode = 'insufficient_privilege';
      end if;
      if (new.claim_id, new.loan_id, new.period, new.amount, new.balance_at_start, new.balance_at_end)
         is distinct from (old.claim_id, old.loan_id, old.period, old.amount, old.balance_at_start, old.balance_at_end)
         or (old.paid and not new.paid) or (old.voided and not new.voided) then
        raise exception 'subsidy_claim_lines: a line only moves from live to paid or voided' using errcode = 'insufficient_privilege';
      end if;
      return new;
    end $f$;
    create trigger subsidy_claim_lines_guard before update or delete on subsidy_claim_lines
      for each row execute function subsidy_claim_lines_guard();
  `);

  await knex.schema.createTable('loan_events', (t) => {
    t.bigIncrements('id');
    t.uuid('loan_id').notNullable().references('loans.id');
    t.text('step').notNullable();
    // The business date it happened on (in the loan's own calendar), and when it was written.
    t.date('on').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.uuid('by_user_id').references('users.id');
    t.text('by_username');
    t.text('role');
    t.integer('period');
    t.decimal('amount', 18, 2);
    t.text('detail');
    t.text('idempotency_key').notNullable().unique();
    t.index(['loan_id', 'id']);
  });

  await knex.schema.createTable('integrity_events', (t) => {
    t.bigIncrements('id');
    t.text('id_number').notNullable();
    t.uuid('loan_id').notNullable().references('loans.id');
    t.text('kind').notNullable();
    t.date('on').notNullable();
    t.integer('period');
    t.decimal('amount', 18, 2);
    t.text('detail').notNullable();
    t.text('idempotency_key').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['id_number', 'id']);
  });
  await knex.raw(`alter table integrity_events add constraint integrity_events_kind_check check (kind in (
    'disbursed','on_time','late','extended','repaid','early_repaid','default','compensation','recovery'))`);

  for (const table of ['loan_repayments', 'subsidy_accruals', 'loan_events', 'integrity_events']) {
    await knex.raw(`create trigger ${table}_append_only before update or delete on ${table}
      for each row execute function loanflow_refuse_change()`);
  }

  // The guarantee company's own money, outside the programme like a bank's cash: what it pays
  // when the loss sharing gives it a share of a default (e.g. fund 70% / bank 25% / company 5%).
  await knex('ledger_chart').insert({
    kind: 'guarantor_own_funds',
    code_pattern: '^guarantor:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:own_funds$',
    entity: 'guarantee_company',
    type: 'asset',
    normal_side: 'debit',
    allow_negative: true,
    name: 'Guarantee company own funds',
  }).onConflict('kind').ignore();
}

/** The chart row stays: the chart is append-only (it goes with the ledger's own rollback). */
export async function down(knex: Knex): Promise<void> {
  for (const table of ['integrity_events', 'loan_events', 'subsidy_claim_lines', 'subsidy_claims', 'subsidy_accruals', 'loan_repayments', 'loan_periods']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('drop function if exists subsidy_claim_lines_guard() cascade');
  await knex.raw('alter table loans drop constraint if exists loans_status_check, drop constraint if exists loans_extension_check, drop constraint if exists loans_recovered_check');
  await knex.schema.alterTable('loans', (t) => {
    t.dropIndex(['bank_id', 'status']);
    for (const c of ['guarantee_company_id', 'workflow_id', 'extended_months', 'maturity_on', 'outstanding_principal', 'ended_on', 'end_reason', 'defaulted_on',
      'loss_principal', 'loss_interest', 'compensated_by_fund', 'borne_by_bank', 'compensated_by_company', 'recovered', 'updated_at']) {
      t.dropColumn(c);
    }
  });
}
