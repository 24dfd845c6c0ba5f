import { z } from 'zod';
import type { ApiRouter } from '../route';
import { newCertificateSchema, revocationSchema } from '../../domain/application-schemas';
import { getCertificate, registerCertificate, revokeCertificate } from '../../usecases/registry';

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
    async handler({ body, deps, user, requestId, clientRequestId }) {
      return { status: 201, body: await registerCertificate(deps, user, body, { requestId, clientRequestId }) };
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
    async handler({ params, body, deps, user, requestId, clientRequestId }) {
      return { status: 200, body: await revokeCertificate(deps, user, params.no, body.reason, { requestId, clientRequestId }) };
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
      return { status: 200, body: await getCertificate(deps, user, params.no) };
    },
  });
}
