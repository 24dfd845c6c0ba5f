import { useState } from 'react';
import { Alert, Button, Form, Input, Progress, Radio, Select, Space, Table, Tag, Upload } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, currentToken, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { DecisionForm } from '../components/DecisionForm';
import { PageCard } from '../components/PageCard';
import { QueryView } from '../components/States';
import { QueryCard } from '../components/QueryCard';
import { formatMoney } from '../lib/money';
import { formatDateTime } from '../lib/dates';
import { useSubmissionKey } from '../lib/idempotency';
import { useLocalPage, usePagedList } from '../lib/paged-list';
import { useUrlState } from '../lib/url-state';
import { useSession } from '../session';
import { everyPage } from '../lib/every-page';

type Mismatch = components['schemas']['ReconciliationMismatch'];

/** XMLHttpRequest rather than fetch: it reports upload progress, for the progress bar. */
function upload(form: FormData, key: string, onProgress: (pct: number) => void): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/reconciliations');
    xhr.setRequestHeader('authorization', `Bearer ${currentToken()}`);
    xhr.setRequestHeader('Idempotency-Key', key);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText ? JSON.parse(xhr.responseText) : undefined });
    xhr.onerror = () => reject(new Error('network'));
    xhr.send(form);
  });
}

export default function ReconciliationsPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  // Newest first, a page at a time; a quarter narrows the list to its own.
  const { values, page, pageSize, set, q: list } = usePagedList('reconciliations', ['quarter'] as const, (v, p) =>
    ok(api.GET('/v1/reconciliations', { params: { query: { quarter: v.quarter, ...p } } })),
  );
  // The reconciliation whose mismatches show: in the address too, but not a filter of the list.
  const shown = useUrlState(['id'] as const);
  const finance = me?.role === 'finance_officer' || me?.role === 'finance_approver';
  return (
    <>
      {finance && <UploadCard onDone={(id) => shown.set({ id })} />}
      <PageCard title={t('recon.title')} level={finance ? 2 : 1}>
        <Input.Search key={values.quarter ?? ''} aria-label={t('claims.quarter')} placeholder="2027Q1" defaultValue={values.quarter} allowClear style={{ width: 220, marginBottom: 16 }} onSearch={(v) => set({ quarter: v.trim().toUpperCase() || undefined })} />
        <QueryView q={list} empty={(d) => d.total === 0}>
          {(d) => (
            <Table rowKey="id" size="small" dataSource={d.items} scroll={{ x: 900 }}
              pagination={{ current: page, pageSize, total: d.total, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }), onChange: (p, s) => set({ page: p, pageSize: s }) }}
              columns={[
                { title: t('claims.quarter'), dataIndex: 'quarter' },
                { title: t('claims.bank'), dataIndex: 'bankName' },
                { title: t('recon.current'), dataIndex: 'current', render: (c: boolean) => (c ? <Tag color="blue">{t('recon.currentYes')}</Tag> : <Tag>{t('recon.superseded')}</Tag>) },
                { title: t('recon.lines'), dataIndex: 'lineCount' },
                { title: t('recon.mismatches'), dataIndex: 'mismatchCount' },
                { title: t('recon.unresolved'), dataIndex: 'unresolved', render: (n: number) => (n > 0 ? <Tag color="red">{n}</Tag> : <Tag color="green">0</Tag>) },
                { title: t('funds.paid'), dataIndex: 'payoutTotal', align: 'right', render: (v: string) => formatMoney(v, i18n.language) },
                { title: t('common.date'), dataIndex: 'importedAt', render: formatDateTime },
                { title: t('common.actions'), render: (_: unknown, r) => <Button type="link" onClick={() => shown.set({ id: r.id, page, pageSize })}>{t('recon.viewMismatches')}</Button> },
              ]} />
          )}
        </QueryView>
      </PageCard>
      {shown.values.id && <Mismatches key={shown.values.id} id={shown.values.id} />}
    </>
  );
}

function UploadCard({ onDone }: { onDone: (id: string) => void }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const queries = useQueryClient();
  const key = useSubmissionKey();
  const banks = useQuery({ queryKey: ['organisations'], queryFn: () => everyPage((p) => ok(api.GET('/v1/organisations', { params: { query: p } }))) });
  const [file, setFile] = useState<File | null>(null);
  const [pct, setPct] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<{ quarter: string; bankId: string }>();
  const onFinish = async (v: { quarter: string; bankId: string }) => {
    if (!file) return setError(t('forms.required'));
    setError(null);
    const data = new FormData();
    data.append('quarter', v.quarter);
    data.append('bankId', v.bankId);
    data.append('file', file);
    setPct(0);
    try {
      const r = await upload(data, key.keyFor({ ...v, name: file.name, size: file.size, modified: file.lastModified }), setPct);
      if (r.status === 201) {
        key.done();
        await queries.invalidateQueries();
        onDone(r.body.id);
      } else {
        const details: Array<{ path: string; message: string }> = r.body?.error?.details ?? [];
        form.setFields(details.filter((d) => d.path === 'quarter' || d.path === 'bankId').map((d) => ({ name: d.path as 'quarter', errors: [d.message] })));
        setError([r.body?.error?.message, ...details.map((d) => `${d.path}: ${d.message}`)].filter(Boolean).join('\n'));
      }
    } catch {
      setError(t('common.networkError'));
    }
  };
  return (
    <PageCard title={t('recon.upload')}>
      <Form form={form} layout="vertical" onFinish={onFinish}>
        <Space wrap align="start">
          <Form.Item label={t('claims.quarter')} name="quarter" rules={[{ required: true, pattern: /^\d{4}Q[1-4]$/, message: '2027Q1' }]}><Input placeholder="2027Q1" /></Form.Item>
          <Form.Item label={t('claims.bank')} name="bankId" rules={[{ required: true, message: t('forms.required') }]}>
            {/* A bank's statement of interest subsidies, or the bureau's own of the programmes it paid (docs/reconciliation.md). */}
            <Select style={{ width: 360 }} options={(banks.data ?? []).filter((o) => o.type === 'bank' || o.id === me?.orgId).map((o) => ({ value: o.id, label: o.type === 'bank' ? o.name : t('recon.ownAccount', { name: o.name }) }))} />
          </Form.Item>
        </Space>
        <Form.Item label={t('recon.file')} required>
          <Upload beforeUpload={(f) => { setFile(f); return false; }} maxCount={1} accept=".csv,.xlsx,text/csv" onRemove={() => setFile(null)}>
            <Button>{t('recon.file')}</Button>
          </Upload>
        </Form.Item>
        {pct !== null && <Progress percent={pct} aria-label={t('recon.progress')} />}
        {error && <Alert type="error" showIcon role="alert" title={<span style={{ whiteSpace: 'pre-wrap' }}>{error}</span>} style={{ marginBottom: 16 }} />}
        <Button type="primary" htmlType="submit">{t('common.submit')}</Button>
      </Form>
    </PageCard>
  );
}

function Mismatches({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const paging = useLocalPage((n) => t('common.total', { count: n }));
  const q = useQuery({
    queryKey: ['mismatches', id, paging.page, paging.pageSize],
    queryFn: () => ok(api.GET('/v1/reconciliations/{id}/mismatches', { params: { path: { id }, query: { page: paging.page, pageSize: paging.pageSize } } })),
  });
  const money = (v: string | null) => formatMoney(v, i18n.language);
  const finance = me?.role === 'finance_officer' || me?.role === 'finance_approver';
  return (
    <QueryCard level={2} title={t('recon.mismatches')} q={q} empty={(d) => d.total === 0}>
      {(d) => (
        <Table<Mismatch> rowKey="itemNo" size="small" dataSource={d.items} pagination={paging.pagination(d.total)} scroll={{ x: 900 }}
          expandable={finance ? {
            rowExpandable: (r) => !r.resolution,
            // The unresolved ones are the work: open, each with its form.
            defaultExpandedRowKeys: d.items.filter((r) => !r.resolution).map((r) => r.itemNo),
            expandedRowRender: (r) => (
              <DecisionForm<components['schemas']['MismatchResolution']> submitLabel={t('recon.resolve')} initialValues={{ resolution: 'explanation' }}
                send={(body, key) => ok(api.POST('/v1/reconciliations/{id}/mismatches/{itemNo}/resolution', { params: { path: { id, itemNo: r.itemNo } }, body, ...idempotent(key) }))}>
                <Form.Item name="resolution" label={t('recon.how')}>
                  <Radio.Group><Radio value="explanation">{t('recon.explanation')}</Radio>{me?.role === 'finance_approver' && <Radio value="reversal">{t('recon.reversal')}</Radio>}</Radio.Group>
                </Form.Item>
                <Form.Item name="reason" label={t('common.reason')} rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
              </DecisionForm>
            ),
          } : undefined}
          columns={[
            { title: '#', dataIndex: 'itemNo' },
            { title: t('recon.kindTitle'), dataIndex: 'kind', render: (k: string) => <Tag color="orange">{t(`recon.kind.${k}`)}</Tag> },
            { title: t('recon.reference'), dataIndex: 'reference' },
            { title: t('recon.statementDate'), dataIndex: 'statementDate', render: (v: string | null) => v ?? '—' },
            { title: t('recon.statementAmount'), dataIndex: 'statementAmount', align: 'right', render: money },
            { title: t('recon.ledgerDate'), dataIndex: 'ledgerDate', render: (v: string | null) => v ?? '—' },
            { title: t('recon.ledgerAmount'), dataIndex: 'ledgerAmount', align: 'right', render: money },
            { title: t('loan.note'), dataIndex: 'note', render: (v: string | null) => v ?? '' },
            {
              title: t('recon.resolved'), dataIndex: 'resolution',
              render: (r: Mismatch['resolution']) => (r ? <><Tag color="green">{t(`recon.resolution.${r.kind}`)}</Tag>{`${r.by}：${r.reason}`}</> : <Tag color="red">{t('recon.unresolved')}</Tag>),
            },
          ]} />
      )}
    </QueryCard>
  );
}
