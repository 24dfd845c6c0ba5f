import { Descriptions, Form, Input, InputNumber, Select, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { ClaimDecision, ClaimStatusTag, claimStep, ProgrammeClaimsCard } from '../components/ProgrammeClaims';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { formatMoney } from '../lib/money';
import { useSession } from '../session';

type Claim = components['schemas']['TrainingClaimSummary'];
type ClaimWithTrainees = components['schemas']['TrainingClaim'];

/** "certificate no., ID number, name" a line, as the institution's class list has them. */
function parseTrainees(text: string): Array<{ certificateNo: string; idNumber: string; name: string }> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [certificateNo = '', idNumber = '', name = ''] = l.split(/[,，]/).map((x) => x.trim());
      return { certificateNo, idNumber, name };
    });
}

/**
 * The training subsidy (创业培训补贴): the institution files a class's base part and, after six
 * months, its outcome part; the finance officer checks it against the certificate registry; a
 * finance approver who did not check it approves.
 */
export default function TrainingPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const q = useQuery({ queryKey: ['training-claims'], queryFn: () => ok(api.GET('/v1/training-claims', { params: { query: {} } })) });
  const institution = me?.role === 'training_officer';
  return (
    <>
      {institution && (
        <PageCard title={t('programmes.fileBase')}>
          <DecisionForm<{ course: 'SYB' | 'GYB' | 'IYB'; classRef: string; enrolled: number; trainees: string }>
            submitLabel={t('common.submit')}
            initialValues={{ course: 'SYB' }}
            send={(v, key) =>
              ok(api.POST('/v1/training-claims', { body: { part: 'base', course: v.course, classRef: v.classRef, enrolled: v.enrolled, trainees: parseTrainees(v.trainees ?? '') }, ...idempotent(key) }))
            }
          >
            <Space wrap align="start">
              <Form.Item label={t('programmes.course')} name="course" rules={[{ required: true, message: t('forms.required') }]}>
                <Select style={{ width: 220 }} options={(['SYB', 'GYB', 'IYB'] as const).map((c) => ({ value: c, label: t(`cert.courses.${c}`) }))} />
              </Form.Item>
              <Form.Item label={t('programmes.classRef')} name="classRef" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input style={{ width: 200 }} /></Form.Item>
              <Form.Item label={t('programmes.enrolled')} name="enrolled" rules={[{ required: true, message: t('forms.required') }]}><InputNumber min={1} max={10000} precision={0} /></Form.Item>
            </Space>
            <Form.Item label={t('programmes.trainees')} name="trainees" extra={t('programmes.traineesFormat')} rules={[{ required: true, whitespace: true, message: t('forms.required') }]}>
              <Input.TextArea rows={4} style={{ maxWidth: 640 }} />
            </Form.Item>
          </DecisionForm>
        </PageCard>
      )}
      <ProgrammeClaimsCard<Claim> title={t('programmes.claims')} q={q} width={900}
        acts={(c, claims) =>
          claimStep(me?.role, c, c.checkerRole) !== undefined ||
          (me?.role === 'training_officer' && c.part === 'base' && c.status === 'PAID' && !claims.some((o) => o.baseClaimId === c.id && o.status !== 'REFUSED' && o.status !== 'REJECTED'))}
        detail={(c, acts) => <ClaimDetail c={c} acts={acts} />}
        columns={[
          { title: t('programmes.classRef'), dataIndex: 'classRef' },
          { title: t('programmes.course'), dataIndex: 'course' },
          { title: t('common.kind'), dataIndex: 'part', render: (p: string) => t(`programmes.part.${p}`) },
          { title: t('programmes.amount'), dataIndex: 'amount', align: 'right', render: (v: string) => formatMoney(v, i18n.language) },
          { title: t('programmes.filedOn'), dataIndex: 'filedOn' },
          { title: t('common.status'), dataIndex: 'status', render: (s: string) => <ClaimStatusTag status={s} /> },
        ]} />
    </>
  );
}

/** An expanded claim: its trainees come from the claim's own GET (the list only counts them). */
function ClaimDetail({ c, acts }: { c: Claim; acts: boolean }) {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const path = { params: { path: { id: c.id } } };
  const full = useQuery({ queryKey: ['training-claim', c.id], queryFn: () => ok(api.GET('/v1/training-claims/{id}', path)) });
  type Trainee = ClaimWithTrainees['trainees'][number];
  return (
    <>
      <Descriptions size="small" column={{ xs: 1, md: 3 }}>
        <Descriptions.Item label={t('programmes.enrolled')}>{c.enrolled ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('programmes.checkedBy')}>{c.checkedBy ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('programmes.decidedBy')}>{c.decidedBy ?? '—'}</Descriptions.Item>
      </Descriptions>
      <QueryView q={full}>
        {(claim) => (
          <Table<Trainee> rowKey="certificateNo" size="small" dataSource={claim.trainees} pagination={false} scroll={{ x: 800 }}
            columns={[
              { title: t('apply.certificateNo'), dataIndex: 'certificateNo' },
              { title: t('register.idNumber'), dataIndex: 'idNumber' },
              { title: t('common.name'), dataIndex: 'name' },
              { title: t('programmes.startedOn'), dataIndex: 'startedOn', render: (v: string | null) => v ?? '—' },
              { title: t('programmes.amount'), dataIndex: 'amount', align: 'right', render: (v: string) => formatMoney(v, i18n.language) },
              {
                title: t('common.status'), dataIndex: 'mismatch',
                render: (m: string | null, r) => (r.dropped ? <Tag>{t('programmes.dropped')}</Tag> : m ? <Tag color="red">{t('programmes.mismatch')}：{m}</Tag> : '—'),
              },
            ]} />
        )}
      </QueryView>
      <ClaimDecision step={claimStep(me?.role, c, c.checkerRole)} checkChoices={['accept', 'adjust', 'refuse'] as const} initialCheck={c.mismatchCount > 0 ? 'adjust' : 'accept'}
        check={(body, key) => ok(api.POST('/v1/training-claims/{id}/check', { ...path, body, ...idempotent(key) }))}
        approve={(body, key) => ok(api.POST('/v1/training-claims/{id}/approval', { ...path, body, ...idempotent(key) }))} />
      {acts && me?.role === 'training_officer' && (
        <DecisionForm<Record<string, never>> submitLabel={t('programmes.fileOutcome')}
          send={(_v, key) => ok(api.POST('/v1/training-claims', { body: { part: 'outcome', baseClaimId: c.id }, ...idempotent(key) }))}>
          <span />
        </DecisionForm>
      )}
    </>
  );
}
