import { Descriptions, Form, Input, InputNumber, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { formatMoney, formatRate } from '../lib/money';
import { todayInChina } from '../lib/dates';
import { useSession } from '../session';

type Loan = components['schemas']['Loan'];
const MONEY = /^\d{1,12}(\.\d{1,2})?$/;

export default function LoanPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const q = useQuery({ queryKey: ['loan', id], queryFn: () => ok(api.GET('/v1/loans/{id}', { params: { path: { id } } })) });
  const money = (v: string | null | undefined) => formatMoney(v, i18n.language);
  return (
    <QueryView q={q}>
      {(l) => (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <PageCard title={`${t('loan.title')} ${l.contractNo}`}>
            <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
              <Descriptions.Item label={t('common.status')}><Tag>{t(`status.${l.status}`)}</Tag></Descriptions.Item>
              <Descriptions.Item label={t('loan.principal')}>{money(l.principal)}</Descriptions.Item>
              <Descriptions.Item label={t('loan.outstanding')}>{money(l.outstanding)}</Descriptions.Item>
              <Descriptions.Item label={t('loan.rate')}>{formatRate(l.annualRate)}</Descriptions.Item>
              <Descriptions.Item label={t('loan.disbursedOn')}>{l.disbursedOn}</Descriptions.Item>
              <Descriptions.Item label={t('loan.maturity')}>{l.maturityOn ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('loan.subsidyEarned')}>{money(l.subsidyEarned)}</Descriptions.Item>
            </Descriptions>
          </PageCard>
          {me?.role === 'bank_officer' && l.status === 'REPAYING' && <Repay loan={l} />}
          <PageCard level={2} title={t('loan.schedule')}>
            <Table rowKey="period" size="small" pagination={false} dataSource={l.schedule} scroll={{ x: 800 }}
              columns={[
                { title: t('loan.period'), dataIndex: 'period' },
                { title: t('loan.dueOn'), dataIndex: 'dueOn' },
                { title: t('loan.due'), dataIndex: 'amountDue', align: 'right', render: money },
                { title: t('loan.interest'), dataIndex: 'interest', align: 'right', render: money },
                { title: t('loan.paid'), dataIndex: 'paid', align: 'right', render: money },
                { title: t('common.status'), render: (_: unknown, r) => r.onTime === true ? <Tag color="green">{t('loan.onTime')}</Tag> : r.onTime === false ? <Tag color="red">{t('loan.late')}</Tag> : <Tag>{t('loan.unpaid')}</Tag> },
                { title: t('loan.subsidy'), dataIndex: 'subsidy', align: 'right', render: money },
              ]} />
          </PageCard>
          <PageCard level={2} title={t('loan.repayments')}>
            <Table rowKey={(r) => `${r.period}-${r.bankReference}`} size="small" pagination={false} dataSource={l.repayments}
              columns={[
                { title: t('loan.period'), dataIndex: 'period' },
                { title: t('loan.paidOn'), dataIndex: 'paidOn' },
                { title: t('common.amount'), dataIndex: 'amount', align: 'right', render: money },
                { title: t('forms.bankReference'), dataIndex: 'bankReference' },
              ]} />
          </PageCard>
        </Space>
      )}
    </QueryView>
  );
}

function Repay({ loan }: { loan: Loan }) {
  const { t } = useTranslation();
  const next = loan.schedule.find((s) => s.status !== 'PAID' && s.paid !== s.amountDue) ?? loan.schedule[0];
  type V = components['schemas']['Repayment'];
  type E = components['schemas']['Extension'];
  const path = { params: { path: { id: loan.id } } };
  return (
    <Space align="start" wrap style={{ width: '100%' }}>
      <PageCard level={2} title={t('loan.repay')}>
        <DecisionForm<V>
          key={next?.period}
          submitLabel={t('common.submit')}
          // The amount due of the first unpaid period, prefilled as the server sent it.
          initialValues={{ period: next?.period, amount: next?.amountDue, paidOn: todayInChina() }}
          send={(body, key) => ok(api.POST('/v1/loans/{id}/repayments', { ...path, body, ...idempotent(key) }))}
        >
          <Form.Item label={t('loan.period')} name="period" rules={[{ required: true }]}><InputNumber min={1} precision={0} /></Form.Item>
          <Form.Item label={t('common.amount')} name="amount" rules={[{ required: true, pattern: MONEY, message: t('forms.amountFormat') }]}><Input inputMode="decimal" /></Form.Item>
          <Form.Item label={t('loan.paidOn')} name="paidOn" rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: 'YYYY-MM-DD' }]}><Input /></Form.Item>
          <Form.Item label={t('forms.bankReference')} name="bankReference" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
        </DecisionForm>
      </PageCard>
      <PageCard level={2} title={t('loan.extension')}>
        <DecisionForm<E> submitLabel={t('common.submit')} send={(body, key) => ok(api.POST('/v1/loans/{id}/extension', { ...path, body, ...idempotent(key) }))}>
          <Form.Item label={t('loan.months')} name="months" rules={[{ required: true }]}><InputNumber min={1} precision={0} /></Form.Item>
          <Form.Item label={t('common.reason')} name="reason" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
        </DecisionForm>
      </PageCard>
    </Space>
  );
}
