/**
 * The people the benchmarks act as: applicants (one application each, as the rules allow), seeded
 * in bulk by the schema's owner with a valid certificate, and the demo officers who decide.
 */
import type { Knex } from 'knex';
import { issueToken } from '../../api/auth/tokens';
import { checkCharFor } from '../../domain/id-number';
import { addDays } from '../../domain/dates';
import { businessDateOf } from '../../domain/business-day';
import type { Caller } from '../../usecases/deps';

export interface BenchApplicant {
  caller: Caller;
  name: string;
  certificateNo: string;
}

let seeded = 0;

/** `n` new applicants, each with a valid SYB certificate issued 30 days ago. */
export async function seedApplicants(owner: Knex, n: number): Promise<BenchApplicant[]> {
  const training = await owner('organisations').where({ type: 'training_institution' }).first('id');
  const trainer = await owner('users').where({ username: 'trainer' }).first('id');
  const issuedOn = addDays(businessDateOf(new Date()), -30);
  const people = Array.from({ length: n }, () => {
    const i = seeded++;
    // Born on one of 1,000 days of 1990 (thereabouts), a sequence number each: unique and valid.
    const birth = addDays('1990-01-01', Math.floor(i / 1000)).replaceAll('-', '');
    const first17 = `220102${birth}${String(i % 1000).padStart(3, '0')}`;
    return { idNumber: first17 + checkCharFor(first17), username: `bench-${i}`, name: `Bench Applicant ${i}`, certificateNo: `SYB-BENCH-${i}` };
  });
  const out: BenchApplicant[] = [];
  for (let at = 0; at < people.length; at += 500) {
    const chunk = people.slice(at, at + 500);
    const rows: Array<{ id: string; username: string }> = await owner('users')
      .insert(chunk.map((p) => ({ username: p.username, password_hash: 'not-used-by-the-benchmarks', role: 'applicant', id_number: p.idNumber, name: p.name, phone: '13900000000' })))
      .returning(['id', 'username']);
    await owner('certificates').insert(
      chunk.map((p) => ({ certificate_no: p.certificateNo, institution_id: training.id, holder_id_number: p.idNumber, holder_name: p.name, course: 'SYB', issued_on: issuedOn, registered_by: trainer.id })),
    );
    const ids = new Map(rows.map((r) => [r.username, r.id]));
    for (const p of chunk) {
      out.push({ caller: { id: ids.get(p.username)!, username: p.username, role: 'applicant', orgId: null, idNumber: p.idNumber }, name: p.name, certificateNo: p.certificateNo });
    }
  }
  return out;
}

/** A bearer token for a seeded user, as sign-in would issue it. */
export const tokenFor = (secret: string, c: Caller) => issueToken(secret, { sub: c.id, username: c.username, role: c.role, orgId: c.orgId, tokenVersion: 0 }, 24 * 3600);

/** The demo officers who decide: a community officer, the reviewer, the approver, a bank officer. */
export async function officers(db: Knex): Promise<Record<'community' | 'reviewer' | 'approver' | 'bank', Caller>> {
  const one = async (username: string): Promise<Caller> => {
    const u = await db('users').where({ username }).first();
    return { id: u.id, username: u.username, role: u.role, orgId: u.org_id, idNumber: u.id_number };
  };
  return { community: await one('community-a'), reviewer: await one('g-reviewer'), approver: await one('g-approver'), bank: await one('bank-a') };
}

/** A new application's body for `a`, as the console sends it. */
export function applicationBody(a: BenchApplicant, communityId: string) {
  return {
    idNumber: a.caller.idNumber!,
    name: a.name,
    phone: '13900000000',
    targetGroup: 'college_graduate' as const,
    certificateNo: a.certificateNo,
    communityId,
    requestedAmount: '80000.00',
    termMonths: 12,
    repaymentMethod: 'monthly_interest_bullet' as const,
    businessPlan: 'A small noodle shop near the university, two employees in the first year.',
  };
}
