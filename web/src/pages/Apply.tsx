import { Alert, Form, Input, Select, InputNumber } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { QueryCard } from '../components/QueryCard';
import { formatMoney } from '../lib/money';
import { todayInChina } from '../lib/dates';
import { idNumberProblemKey } from '../lib/id-number';
import { useSession } from '../session';
import { everyPage } from '../lib/every-page';

type V = components['schemas']['NewApplication'];
const TARGETS = ['unemployed', 'college_graduate', 'returning_migrant_worker', 'veteran', 'disabled', 'other'] as const;
const MONEY = /^\d{1,12}(\.\d{1,2})?$/;

/** Compares two decimal strings of at most two decimals as text (no JS number touches money). */
function compareMoney(a: string, b: string): number {
  const norm = (s: string) => {
    const [i = '0', f = ''] = s.split('.');
    return [i.replace(/^0+(?=\d)/, ''), f.padEnd(2, '0')] as const;
  };
  const [ai, af] = norm(a);
  const [bi, bf] = norm(b);
  if (ai.length !== bi.length) return ai.length - bi.length;
  return ai === bi ? af.localeCompare(bf) : ai.localeCompare(bi);
}

export default function ApplyPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const navigate = useNavigate();
  const policies = useQuery({ queryKey: ['policies'], queryFn: () => everyPage((p) => ok(api.GET('/v1/policies', { params: { query: p } }))) });
  const orgs = useQuery({ queryKey: ['organisations'], queryFn: () => everyPage((p) => ok(api.GET('/v1/organisations', { params: { query: p } }))) });
  const today = todayInChina();
  return (
    <QueryCard title={t('apply.title')} q={policies}>
      {(all) => {
        const inForce = [...all].filter((p) => p.effectiveFrom <= today).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0];
        if (!inForce) return <Alert type="warning" title="—" />;
        const p = inForce.params;
        const money = (v: string) => formatMoney(v, i18n.language);
        return (
          <>
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              title={t('apply.policy', { date: inForce.effectiveFrom })}
              description={t('apply.band', { min: money(p.guaranteeMin), max: money(p.guaranteeMax), tmin: p.termMonthsMin, tmax: p.termMonthsMax })}
            />
            <DecisionForm<V>
              submitLabel={t('apply.submit')}
              initialValues={{ idNumber: me?.idNumber ?? '', name: me?.name ?? '', repaymentMethod: 'monthly_interest_bullet', termMonths: p.termMonthsMin }}
              send={(body, key) => ok(api.POST('/v1/applications', { body: { ...body, bankId: body.bankId || undefined }, ...idempotent(key) }))}
              onDone={(r) => navigate(`/applications/${(r as { id: string }).id}`)}
            >
              <Form.Item label={t('apply.certificateNo')} name="certificateNo" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
              <Form.Item label={t('apply.idNumber')} name="idNumber" hasFeedback validateFirst
                rules={[{ required: true, message: t('forms.required') }, { validator: async (_r, v: string) => { const k = v && idNumberProblemKey(v); if (k) throw new Error(t('forms.idNumberInvalid', { problem: t(k) })); } }]}>
                <Input maxLength={18} />
              </Form.Item>
              <Form.Item label={t('apply.name')} name="name" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
              <Form.Item label={t('apply.phone')} name="phone" rules={[{ required: true, message: t('forms.required') }]}><Input inputMode="tel" /></Form.Item>
              <Form.Item label={t('apply.targetGroup')} name="targetGroup" rules={[{ required: true, message: t('forms.required') }]}>
                <Select options={TARGETS.map((v) => ({ value: v, label: t(`targetGroup.${v}`) }))} />
              </Form.Item>
              <Form.Item label={t('apply.community')} name="communityId" rules={[{ required: true, message: t('forms.required') }]}>
                <Select loading={orgs.isPending} options={(orgs.data ?? []).filter((o) => o.type === 'community').map((o) => ({ value: o.id, label: o.name }))} />
              </Form.Item>
              <Form.Item label={t('apply.bank')} name="bankId">
                <Select allowClear options={(orgs.data ?? []).filter((o) => o.type === 'bank').map((o) => ({ value: o.id, label: o.name }))} />
              </Form.Item>
              <Form.Item label={t('apply.amount')} name="requestedAmount" validateFirst
                rules={[
                  { required: true, message: t('forms.required') },
                  { pattern: MONEY, message: t('forms.amountFormat') },
                  { validator: async (_r, v: string) => { if (v && (compareMoney(v, p.guaranteeMin) < 0 || compareMoney(v, p.guaranteeMax) > 0)) throw new Error(t('forms.amountBand', { min: money(p.guaranteeMin), max: money(p.guaranteeMax) })); } },
                ]}>
                <Input inputMode="decimal" placeholder="80000.00" />
              </Form.Item>
              <Form.Item label={t('apply.term')} name="termMonths" rules={[{ required: true, type: 'number', min: p.termMonthsMin, max: p.termMonthsMax, message: `${p.termMonthsMin}–${p.termMonthsMax}` }]}>
                <InputNumber min={p.termMonthsMin} max={p.termMonthsMax} precision={0} style={{ width: 160 }} />
              </Form.Item>
              <Form.Item label={t('apply.method')} name="repaymentMethod" rules={[{ required: true }]}>
                <Select options={(['monthly_interest_bullet', 'equal_instalment'] as const).map((v) => ({ value: v, label: t(`method.${v}`) }))} />
              </Form.Item>
              <Form.Item label={t('apply.plan')} name="businessPlan" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input.TextArea rows={4} /></Form.Item>
            </DecisionForm>
          </>
        );
      }}
    </QueryCard>
  );
}
