import type { Knex } from 'knex';

/** Who sees which applications (docs/domain.md §2.2): the one rule behind every application read. */
export interface Viewer {
  id: string;
  role: string;
  orgId: string | null;
}

/** The finance bureau and the auditor read every record (docs/domain.md §2.2). */
export const seesEverything = (role: string): boolean => role === 'finance_officer' || role === 'finance_approver' || role === 'auditor';

export function scopeApplications(q: Knex.QueryBuilder, v: Viewer, alias = 'a'): Knex.QueryBuilder {
  const col = (c: string) => `${alias}.${c}`;
  if (seesEverything(v.role)) return q;
  switch (v.role) {
    case 'applicant':
      return q.where(col('applicant_user_id'), v.id);
    case 'community_officer':
      return q.where(col('community_id'), v.orgId);
    case 'guarantee_reviewer':
    case 'guarantee_approver':
      return q.where(col('guarantee_company_id'), v.orgId);
    case 'bank_officer':
      // Its own loans, and approved applications no bank has taken yet.
      return q.where((w) => w.where(col('bank_id'), v.orgId).orWhere((o) => o.whereNull(col('bank_id')).andWhere(col('status'), 'AWAITING_DISBURSAL')));
    case 'training_officer':
      return q.whereIn(col('certificate_no'), (s: Knex.QueryBuilder) => s.select('certificate_no').from('certificates').where('institution_id', v.orgId));
    default:
      return q.whereRaw('false');
  }
}

export interface ApplicationRow {
  id: string;
  applicant_user_id: string;
  id_number: string;
  name: string;
  phone: string;
  target_group: string;
  certificate_no: string;
  community_id: string;
  guarantee_company_id: string;
  bank_id: string | null;
  requested_amount: string;
  term_months: number;
  repayment_method: string;
  business_plan: string;
  policy_id: string;
  submitted_on: string;
  status: string;
  counter_guarantee_type: string | null;
  recommended_amount: string | null;
  approved_amount: string | null;
  loan_id: string | null;
  end_reason: string | null;
  step_deadline_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export async function findVisibleApplication(db: Knex, id: string, v: Viewer): Promise<ApplicationRow | undefined> {
  return scopeApplications(db('applications as a').where('a.id', id), v).first('a.*');
}

export async function applicationHistory(db: Knex, id: string) {
  return db('application_history').where({ application_id: id }).orderBy('id');
}

/** The two statements of a page of the list: how many the caller sees, and the page itself, newest first. */
export function applicationListQueries(db: Knex, v: Viewer, f: { status?: string; q?: string; page: number; pageSize: number }) {
  const base = scopeApplications(db('applications as a'), v);
  if (f.status) base.where('a.status', f.status);
  if (f.q) base.where((w) => searchApplications(w, f.q!));
  return {
    count: base.clone().count<{ count: number }[]>('* as count'),
    // Read in the order of the applications_*newest_index indexes, not sorted afterwards.
    page: base
      .clone()
      .select('a.*')
      .orderBy([{ column: 'a.created_at', order: 'desc' }, { column: 'a.id', order: 'asc' }])
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize) as Knex.QueryBuilder<ApplicationRow, ApplicationRow[]>,
  };
}

export async function listApplications(
  db: Knex,
  v: Viewer,
  f: { status?: string; q?: string; page: number; pageSize: number },
): Promise<{ rows: ApplicationRow[]; total: number }> {
  const q = applicationListQueries(db, v, f);
  // Both at once, on two connections: a page costs one round trip, not two.
  const [counted, rows] = await Promise.all([q.count, q.page]);
  return { rows, total: Number(counted[0]?.count ?? 0) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A search box's text: an application number (the whole id, or its first 8 characters as the
 * console shows it), an ID number (whole, any case of its X) or part of the applicant's name.
 */
function searchApplications(w: Knex.QueryBuilder, q: string): Knex.QueryBuilder {
  const text = q.trim();
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  w.whereRaw("a.name ilike ? escape '\\'", [like]).orWhere('a.id_number', text.toUpperCase());
  if (UUID.test(text)) w.orWhere('a.id', text.toLowerCase());
  else if (/^[0-9a-f]{8}$/i.test(text)) w.orWhereRaw('a.id::text like ?', [`${text.toLowerCase()}-%`]);
  return w;
}
