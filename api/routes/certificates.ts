import { z } from 'zod';
import type { ApiRouter } from '../route';
import { routeKinds } from '../route-kinds';
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
  const route = routeKinds(api, 'certificates');
  route.create('/v1/certificates', {
    summary: 'Register a training certificate of your institution',
    auth: ['training_officer'],
    body: newCertificateSchema,
    reply: { description: 'Registered', schema: certificateSchema },
    make: ({ body, deps, user }, r) => registerCertificate(deps, user, body, r),
  });

  route.decide('/v1/certificates/:no/revocation', {
    summary: 'Revoke a certificate of your institution',
    auth: ['training_officer'],
    params: noParam,
    body: revocationSchema,
    reply: { description: 'Revoked', schema: certificateSchema },
    run: ({ params, body, deps, user }, r) => revokeCertificate(deps, user, params.no, body.reason, r),
  });

  route.read('/v1/certificates/:no', {
    summary: 'A certificate: in full to its institution, the holder and officers handling an application on it; masked to other officers',
    auth: 'signed-in',
    params: noParam,
    reply: { description: 'The certificate', schema: certificateSchema },
    load: ({ params, deps, user }) => getCertificate(deps, user, params.no),
  });
}
