import { Descriptions, Form, Input, Select, Space, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { idNumberProblemKey } from '../lib/id-number';
import { todayInChina } from '../lib/dates';
import { useUrlState } from '../lib/url-state';
import { useSession } from '../session';

type NewCertificate = components['schemas']['NewCertificate'];

/** Training certificates (创业培训合格证书): the institution registers its trainees' certificates, looks one up, revokes one. */
export default function CertificatesPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const navigate = useNavigate();
  const { values, set } = useUrlState(['no'] as const);
  const [form] = Form.useForm<NewCertificate>();
  const trainer = me?.role === 'training_officer';
  return (
    <>
      {trainer && (
        <PageCard title={t('cert.register')}>
          <DecisionForm<NewCertificate>
            form={form}
            submitLabel={t('cert.registerSubmit')}
            initialValues={{ course: 'SYB', issuedOn: todayInChina() }}
            send={(body, key) => ok(api.POST('/v1/certificates', { body, ...idempotent(key) }))}
            onDone={(c) => {
              form.resetFields();
              navigate(`/certificates?no=${encodeURIComponent((c as { certificateNo: string }).certificateNo)}`);
            }}
          >
            <Space wrap align="start">
              <Form.Item label={t('cert.no')} name="certificateNo" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input style={{ width: 200 }} /></Form.Item>
              <Form.Item label={t('cert.course')} name="course" rules={[{ required: true }]}>
                <Select style={{ width: 240 }} options={(['SYB', 'GYB', 'IYB'] as const).map((c) => ({ value: c, label: t(`cert.courses.${c}`) }))} />
              </Form.Item>
              <Form.Item label={t('cert.issuedOn')} name="issuedOn" rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: 'YYYY-MM-DD' }]}><Input style={{ width: 140 }} /></Form.Item>
            </Space>
            <Space wrap align="start">
              <Form.Item label={t('cert.holderName')} name="holderName" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
              <Form.Item label={t('cert.holderIdNumber')} name="holderIdNumber" validateFirst hasFeedback
                rules={[{ required: true, message: t('forms.required') }, { validator: async (_r, v: string) => { const k = v && idNumberProblemKey(v); if (k) throw new Error(t('forms.idNumberInvalid', { problem: t(k) })); } }]}>
                <Input maxLength={18} style={{ width: 220 }} />
              </Form.Item>
            </Space>
          </DecisionForm>
        </PageCard>
      )}
      <PageCard title={t('cert.lookup')} level={trainer ? 2 : 1}>
        <Input.Search key={values.no ?? ''} aria-label={t('cert.no')} placeholder={t('cert.no')} defaultValue={values.no} enterButton={t('common.view')} style={{ width: 320, marginBottom: 16 }}
          onSearch={(v) => set({ no: v.trim() || undefined })} />
        {values.no && <Certificate no={values.no} trainer={trainer} />}
      </PageCard>
    </>
  );
}

function Certificate({ no, trainer }: { no: string; trainer: boolean }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['certificate', no], queryFn: () => ok(api.GET('/v1/certificates/{no}', { params: { path: { no } } })) });
  return (
    <QueryView q={q}>
      {(c) => (
        <>
          <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
            <Descriptions.Item label={t('cert.no')}>{c.certificateNo}</Descriptions.Item>
            <Descriptions.Item label={t('common.status')}>{c.revoked ? <Tag color="red">{t('cert.revoked')}</Tag> : <Tag color="green">{t('cert.valid')}</Tag>}</Descriptions.Item>
            <Descriptions.Item label={t('cert.course')}>{t(`cert.courses.${c.course}`, { defaultValue: c.course })}</Descriptions.Item>
            <Descriptions.Item label={t('cert.holderName')}>{c.holderName}</Descriptions.Item>
            <Descriptions.Item label={t('cert.holderIdNumber')}>{c.holderIdNumber}</Descriptions.Item>
            <Descriptions.Item label={t('cert.issuedOn')}>{c.issuedOn}</Descriptions.Item>
            {c.revoked && <Descriptions.Item label={t('cert.revocationReason')}>{c.revocationReason}</Descriptions.Item>}
          </Descriptions>
          {trainer && !c.revoked && (
            <PageCard level={2} title={t('cert.revoke')}>
              <DecisionForm<{ reason: string }> danger submitLabel={t('cert.revoke')}
                send={(body, key) => ok(api.POST('/v1/certificates/{no}/revocation', { params: { path: { no } }, body, ...idempotent(key) }))}>
                <Form.Item label={t('common.reason')} name="reason" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
              </DecisionForm>
            </PageCard>
          )}
        </>
      )}
    </QueryView>
  );
}
