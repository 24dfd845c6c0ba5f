import type { Knex } from 'knex';

export interface FollowUpRow {
  months: number;
  due_on: string;
  overdue_on: string;
  reminded_at: Date | null;
  overdue_marked_at: Date | null;
  visited_on: string | null;
  operating_status: string | null;
  employees: number | null;
  business_registration_no: string | null;
  note: string | null;
  late: boolean | null;
  recorded_by: string | null;
  recorded_role: string | null;
  recorded_at: Date | null;
}

/** A loan's scheduled visits, each with the visit recorded for it if any, in order. */
export async function followUpRows(db: Knex, loanId: string): Promise<FollowUpRow[]> {
  return db('follow_up_schedule as s')
    .leftJoin('follow_up_visits as v', (j) => j.on('v.loan_id', 's.loan_id').andOn('v.months', 's.months'))
    .leftJoin('users as u', 'u.id', 'v.recorded_by')
    .where('s.loan_id', loanId)
    .orderBy('s.months')
    .select(
      's.months', 's.due_on', 's.overdue_on', 's.reminded_at', 's.overdue_marked_at', 'v.visited_on', 'v.operating_status', 'v.employees',
      'v.business_registration_no', 'v.note', 'v.late', 'u.username as recorded_by', 'v.recorded_role', 'v.recorded_at',
    );
}
