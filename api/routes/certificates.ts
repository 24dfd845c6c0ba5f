import { z } from 'zod';
import type { ApiRouter } from '../route';
import { ApiError } from '../errors';
import { audit } from '../../db/repositories/audit';
import { newCertificateSchema, revocationSchema } from '../../domain/application-schemas';
import { actorOf } from '../actor';
import { businessDateOf } from '../../domain/business-day';
import { maskIdNumber, maskName } from '../../domain/masking';
import { scopeApplications } from '../../db/repositories/applications';
import type { AuthUser } from '../auth/middleware';
import type { Knex } from 'knex';

/**
 * Who sees a certificate's holder in full: its institution, the holder, and officers handling an
 * application on this certificate that they may see (the applications' visibility rule). Others who
 * may look certificates up see the ID number and name masked: numbers are sequential, so anyone
 * could otherwise collect ID numbers by counting.
 */
async function seesHolder(db: Knex, user: AuthUser, c: CertRow): Promise<boolean> {
  if (user.role === 'training_officer') return c.institution_id === user.orgId;
  if (user.role === 'applicant') return c.holder_id_number === user.idNumber;
  const handled = await scopeApplications(db('applications as a').where('a.certificate_no', c.certificate_no), user).first('a.id');
  return handled !== undefined;
}

const certificateSchema = z
  .object({
    certificateNo: z.string(),
    institutionId: z.string(),
    holderIdNumber: z.string(),
    holderName: z.string(),
    course: z.string(),
    issuedOn: z.string(),
    revoked: z.boolean(),
    revokedAt: z.string().nullable(),
    revocationReason: z.string().nullable(),
    masked: z.boolean().meta({ description: 'true: holderIdNumber and holderName are masked (you are not entitled to the full record)' }),
  })
  .meta({ id: 'Certificate' });

type CertRow = {
  certificate_no: string; institution_id: string; holder_id_number: string; holder_name: string; course: string;
  issued_on: string; revoked_at: Date | null; revocation_reason: string | null;
};
const view = (r: CertRow, masked = false) => ({
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

const noParam = z.object({ no: z.string().min(1).max(64) });

export function certificateRoutes(api: ApiRouter): void {
  api.add({
    method: 'post',
    path: '/v1/certificates',
    tag: 'certificates',
    summary: 'Register a training certificate of your institution',
    auth: ['training_officer'],
    idempotent: true,
    body: newCertificateSchema,
    responses: { 201: { description: 'Registered', schema: certificateSchema } },
    async handler({ body, deps, user, requestId }) {
      const today = businessDateOf(deps.now?.() ?? new Date());
      if (body.issuedOn > today) {
        throw new ApiError('VALIDATION_FAILED', 'issuedOn is in the future', [{ path: 'issuedOn', message: `must not be after today (${today})` }]);
      }
      try {
        const row = await deps.db.transaction(async (trx) => {
          const [c] = await trx('certificates')
            .insert({
              certificate_no: body.certificateNo, institution_id: user.orgId, holder_id_number: body.holderIdNumber,
              holder_name: body.holderName, course: body.course, issued_on: body.issuedOn, registered_by: user.id,
            })
            .returning('*');
          await audit(trx, { actor: actorOf(user), action: 'certificate.register', entityType: 'certificate', entityId: c.certificate_no, requestId, payload: body });
          return c;
        });
        return { status: 201, body: view(row) };
      } catch (e) {
        if ((e as { code?: string }).code === '23505') {
          throw new ApiError('CONFLICT', `certificate ${body.certificateNo} is already registered`, [{ path: 'certificateNo', message: 'already registered' }]);
        }
        throw e;
      }
    },
  });

  api.add({
    method: 'post',
    path: '/v1/certificates/:no/revocation',
    tag: 'certificates',
    summary: 'Revoke a certificate of your institution',
    auth: ['training_officer'],
    idempotent: true,
    params: noParam,
    body: revocationSchema,
    responses: { 200: { description: 'Revoked', schema: certificateSchema } },
    async handler({ params, body, deps, user, requestId }) {
      const row = await deps.db.transaction(async (trx) => {
        const c = await trx('certificates').where({ certificate_no: params.no }).forUpdate().first();
        if (!c || c.institution_id !== user.orgId) throw new ApiError('NOT_FOUND', `certificate ${params.no} not found at your institution`);
        if (c.revoked_at) throw new ApiError('INVALID_STATE', `certificate ${params.no} was already revoked`);
        const [u] = await trx('certificates')
          .where({ certificate_no: params.no })
          .update({ revoked_at: trx.fn.now(), revoked_by: user.id, revocation_reason: body.reason })
          .returning('*');
        await audit(trx, { actor: actorOf(user), action: 'certificate.revoke', entityType: 'certificate', entityId: params.no, reason: body.reason, requestId });
        return u;
      });
      return { status: 200, body: view(row) };
    },
  });

  api.add({
    method: 'get',
    path: '/v1/certificates/:no',
    tag: 'certificates',
    summary: 'A certificate: in full to its institution, the holder and officers handling an application on it; masked to other officers',
    auth: 'signed-in',
    params: noParam,
    responses: { 200: { description: 'The certificate', schema: certificateSchema } },
    async handler({ params, deps, user }) {
      const c = await deps.db('certificates').where({ certificate_no: params.no }).first();
      const visible =
        c &&
        (user.role === 'applicant' ? c.holder_id_number === user.idNumber : user.role === 'training_officer' ? c.institution_id === user.orgId : user.role !== 'admin');
      if (!visible) throw new ApiError('NOT_FOUND', `certificate ${params.no} not found`);
      return { status: 200, body: view(c, !(await seesHolder(deps.db, user, c))) };
    },
  });
}
