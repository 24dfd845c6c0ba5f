import type { Knex } from 'knex';
import { DomainError } from '../domain/errors';
import type { NewCertificate } from '../domain/application-schemas';
import type { PolicyParams } from '../domain/policy';
import { maskIdNumber, maskName, maskPersonalFields } from '../domain/masking';
import { audit, auditedSince } from '../db/repositories/audit';
import { scopeApplications } from '../db/repositories/applications';
import { actorOf, answeringOwnRetry, idOfRequest, refusedAs, todayOf, type Caller, type KeyedRequest, type RecordsDeps } from './deps';
import { createOnce } from './create-once';

type Page = { page: number; pageSize: number };

/**
 * The registries: organisations, policy versions and training certificates. They have no process
 * to run: each change is one transaction with its audit row.
 */

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

// ---- certificates --------------------------------------------------------------------------------

/**
 * Who sees a certificate's holder in full: its institution, the holder, and officers handling an
 * application on this certificate that they may see (the applications' visibility rule). Others who
 * may look certificates up see the ID number and name masked: numbers are sequential, so anyone
 * could otherwise collect ID numbers by counting.
 */
async function seesHolder(db: Knex, user: Caller, c: CertRow): Promise<boolean> {
  if (user.role === 'training_officer') return c.institution_id === user.orgId;
  if (user.role === 'applicant') return c.holder_id_number === user.idNumber;
  const handled = await scopeApplications(db('applications as a').where('a.certificate_no', c.certificate_no), user).first('a.id');
  return handled !== undefined;
}

type CertRow = {
  certificate_no: string; institution_id: string; holder_id_number: string; holder_name: string; course: string;
  issued_on: string; revoked_at: Date | null; revocation_reason: string | null;
};
const certificateView = (r: CertRow, masked = false) => ({
  certificateNo: r.certificate_no,
  institutionId: r.institution_id,
  holderIdNumber: masked ? maskIdNumber(r.holder_id_number) : r.holder_id_number,
  holderName: masked ? maskName(r.holder_name) : r.holder_name,
  course: r.course,
  issuedOn: r.issued_on,
  revoked: r.revoked_at !== null,
  revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
  revocationReason: r.revocation_reason,
  masked,
});


/** A training institution registers a certificate of its own. */
export async function registerCertificate(deps: RecordsDeps, caller: Caller, body: NewCertificate, request: KeyedRequest) {
  const today = todayOf(deps);
  if (body.issuedOn > today) {
    throw new DomainError('VALIDATION_FAILED', 'issuedOn is in the future', [{ path: 'issuedOn', message: `must not be after today (${today})` }]);
  }
  const values = {
    certificate_no: body.certificateNo, institution_id: caller.orgId, holder_id_number: body.holderIdNumber,
    holder_name: body.holderName, course: body.course, issued_on: body.issuedOn, registered_by: caller.id,
  };
  return createOnce(deps, request, {
    table: 'certificates',
    values,
    // The trail keeps the certificate number; the registry holds whose it is (docs/security.md).
    audited: (c) => ({ actor: actorOf(caller), action: 'certificate.register', entityType: 'certificate', entityId: c.certificate_no, requestId: request.requestId, payload: maskPersonalFields(body) }),
    taken: { message: `certificate ${body.certificateNo} is already registered`, path: 'certificateNo', detail: 'already registered' },
    view: (c) => certificateView(c as CertRow),
    own: async (since) => {
      const held = await deps.db('certificates').where({ ...values, revoked_at: null }).andWhere('registered_at', '>=', since).first();
      return held && certificateView(held);
    },
  });
}

/** A training institution revokes a certificate of its own. */
export async function revokeCertificate(deps: RecordsDeps, caller: Caller, no: string, reason: string, request: KeyedRequest) {
  const revoke = () =>
    deps.db.transaction(async (trx) => {
      const c = await trx('certificates').where({ certificate_no: no }).forUpdate().first();
      if (!c || c.institution_id !== caller.orgId) throw new DomainError('NOT_FOUND', `certificate ${no} not found at your institution`);
      if (c.revoked_at) throw new DomainError('INVALID_STATE', `certificate ${no} was already revoked`);
      const [u] = await trx('certificates')
        .where({ certificate_no: no })
        .update({ revoked_at: trx.fn.now(), revoked_by: caller.id, revocation_reason: reason })
        .returning('*');
      await audit(trx, { actor: actorOf(caller), action: 'certificate.revoke', entityType: 'certificate', entityId: no, reason, requestId: request.requestId });
      return u;
    });
  const row = await answeringOwnRetry(request, revoke, refusedAs('INVALID_STATE'), (since) =>
    deps.db('certificates')
      .where({ certificate_no: no, institution_id: caller.orgId, revoked_by: caller.id, revocation_reason: reason })
      .andWhere('revoked_at', '>=', since)
      .first(),
  );
  return certificateView(row);
}

/** A certificate: in full to those entitled to its holder (seesHolder), masked to other officers. */
export async function getCertificate(deps: RecordsDeps, caller: Caller, no: string) {
  const c = await deps.db('certificates').where({ certificate_no: no }).first();
  const visible =
    c &&
    (caller.role === 'applicant' ? c.holder_id_number === caller.idNumber : caller.role === 'training_officer' ? c.institution_id === caller.orgId : caller.role !== 'admin');
  if (!visible) throw new DomainError('NOT_FOUND', `certificate ${no} not found`);
  return certificateView(c, !(await seesHolder(deps.db, caller, c)));
}

// ---- organisations -------------------------------------------------------------------------------

const organisationView = (r: { id: string; type: string; name: string; region: string }) => ({ id: r.id, type: r.type, name: r.name, region: r.region });

export async function listOrganisations(deps: RecordsDeps, f: { type?: string } & Page) {
  const of = () => (f.type ? deps.db('organisations').where({ type: f.type }) : deps.db('organisations'));
  const [counted] = await of().count<{ count: string }[]>('* as count');
  const rows = await of().orderBy(['type', 'name', 'id']).limit(f.pageSize).offset((f.page - 1) * f.pageSize);
  return { items: rows.map(organisationView), total: Number(counted?.count ?? 0) };
}

/** An admin registers an organisation. */
export async function createOrganisation(deps: RecordsDeps, caller: Caller, body: { type: string; name: string; region: string }, request: KeyedRequest) {
  return createOnce(deps, request, {
    table: 'organisations',
    values: body,
    audited: (o) => ({ actor: actorOf(caller), action: 'organisation.create', entityType: 'organisation', entityId: o.id, requestId: request.requestId, payload: body }),
    taken: { message: 'an organisation with this name exists', path: 'name', detail: 'already used' },
    view: (o) => organisationView(o as Parameters<typeof organisationView>[0]),
    // An organisation keeps no maker of its own: the trail, written with it, says who made it.
    own: async (since) => {
      const o = await deps.db('organisations').where(body).andWhere('created_at', '>=', since).first();
      const made = o && (await auditedSince(deps.db, { action: 'organisation.create', entityType: 'organisation', entityId: o.id, userId: caller.id, since }));
      return made ? organisationView(o) : undefined;
    },
  });
}

// ---- policy versions -----------------------------------------------------------------------------

const policyView = (r: { id: string; effective_from: string; params: unknown; created_at: Date }) => ({
  id: r.id,
  effectiveFrom: r.effective_from,
  params: r.params as PolicyParams,
  createdAt: r.created_at.toISOString(),
});

/** Policy versions, newest first (the newest among equal effective dates first). */
export async function listPolicies(deps: RecordsDeps, p: Page) {
  const [counted] = await deps.db('policies').count<{ count: string }[]>('* as count');
  const rows = await deps.db('policies')
    .orderBy([{ column: 'effective_from', order: 'desc' }, { column: 'seq', order: 'desc' }])
    .limit(p.pageSize)
    .offset((p.page - 1) * p.pageSize);
  return { items: rows.map(policyView), total: Number(counted?.count ?? 0) };
}

/**
 * An admin adds a policy version; applications keep the version they were submitted under. Nothing
 * else makes a version unique, so its id comes from the Idempotency-Key (idOfRequest): a retry
 * after a first attempt that committed finds that version instead of adding a second one.
 */
export async function addPolicy(deps: RecordsDeps, caller: Caller, body: { effectiveFrom: string; params: PolicyParams }, request: KeyedRequest) {
  const id = idOfRequest('policy', caller.id, request.idempotency);
  const add = async () => {
    const row = await deps.db.transaction(async (trx) => {
      const [p] = await trx('policies')
        .insert({ id, effective_from: body.effectiveFrom, params: JSON.stringify(body.params), created_by: caller.id })
        .returning('*');
      await audit(trx, { actor: actorOf(caller), action: 'policy.create', entityType: 'policy', entityId: p.id, requestId: request.requestId, payload: body });
      return p;
    });
    return policyView(row);
  };
  return answeringOwnRetry(request, add, isUniqueViolation, async () => {
    const p = await deps.db('policies').where({ id, created_by: caller.id, effective_from: body.effectiveFrom }).whereRaw('params = ?::jsonb', [JSON.stringify(body.params)]).first();
    return p && policyView(p);
  });
}
