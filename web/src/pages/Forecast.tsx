import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Form, Input, Radio, Select, Space, Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { ApiFailure, api, idempotent, ok } from '../api/client';
import type { components } from '../api/schema';
import { PageCard } from '../components/PageCard';
import { useDownload } from '../components/Download';
import { saveFile } from '../lib/download';
import { DecisionForm } from '../components/DecisionForm';
import { QueryView } from '../components/States';
import { QueryCard } from '../components/QueryCard';
import { formatMoney, formatRate } from '../lib/money';
import { plotValue } from '../lib/chart-values';
import { useUrlState } from '../lib/url-state';
import { useLocalPage } from '../lib/paged-list';
import { useSession } from '../session';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer]);

type Forecast = components['schemas']['SubsidyForecast'];
type WhatIf = components['schemas']['WhatIf'];
type Params = WhatIf['scenario']['params'];
type Series = { name: string; kind: 'bar' | 'line' | 'band'; values: string[] };

/**
 * A chart of amounts per quarter. The heights are plotted from the exact strings (plotValue); the
 * tooltip shows the strings themselves, so what is read is what the server computed.
 */
function QuarterChart({ label, quarters, series }: { label: string; quarters: string[]; series: Series[] }) {
  const el = useRef<HTMLDivElement>(null);
  const { i18n } = useTranslation();
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current, undefined, { renderer: 'svg' });
    chart.setOption({
      aria: { enabled: true },
      legend: { top: 0 },
      grid: { left: 88, right: 16, top: 48, bottom: 32 },
      tooltip: {
        trigger: 'axis',
        formatter: (items: Array<{ dataIndex: number; seriesIndex: number; marker: string }>) =>
          `${quarters[items[0]?.dataIndex ?? 0]}<br/>` + items.map((x) => `${x.marker}${series[x.seriesIndex]!.name}: ${formatMoney(series[x.seriesIndex]!.values[x.dataIndex], i18n.language)}`).join('<br/>'),
      },
      xAxis: { type: 'category', data: quarters },
      yAxis: { type: 'value' },
      series: series.map((s) =>
        s.kind === 'bar'
          ? { type: 'bar', name: s.name, data: s.values.map(plotValue), itemStyle: { opacity: 0.35 } }
          : { type: 'line', name: s.name, data: s.values.map(plotValue), lineStyle: s.kind === 'band' ? { type: 'dashed' } : undefined, symbol: s.kind === 'band' ? 'none' : 'circle' },
      ),
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [quarters, series, i18n.language]);
  return (
    <figure aria-label={label} style={{ margin: 0 }}>
      <div ref={el} style={{ height: 320, width: '100%' }} />
    </figure>
  );
}

/** The budget forecast (预算测算) and the policy what-if, side by side (docs/forecast.md). */
export default function ForecastPage() {
  const { t, i18n } = useTranslation();
  const { values, set } = useUrlState(['quarters'] as const);
  const quarters = Number(values.quarters ?? '8');
  const money = (v: string | null | undefined) => formatMoney(v, i18n.language);
  const { save, alert } = useDownload();
  const download = (format: 'csv' | 'xlsx') =>
    void save(api.GET('/v1/forecasts/subsidy', { params: { query: { quarters, format } }, parseAs: 'blob' }), `forecast-${quarters}q.${format}`);
  const q = useQuery({ queryKey: ['forecast', quarters], queryFn: () => ok(api.GET('/v1/forecasts/subsidy', { params: { query: { quarters } } })) as Promise<Forecast> });
  return (
    <>
      <PageCard title={t('forecast.title')}>
        <Space wrap style={{ marginBottom: 16 }}>
          <Select aria-label={t('forecast.quarters')} value={quarters} style={{ width: 160 }} onChange={(v) => set({ quarters: String(v) })}
            options={[4, 8, 12].map((n) => ({ value: n, label: t('forecast.quartersN', { count: n }) }))} />
          <Button onClick={() => download('csv')}>{t('reports.csv')}</Button>
          <Button onClick={() => download('xlsx')}>{t('reports.xlsx')}</Button>
        </Space>
        {alert}
        <p className="lf-muted">{t('forecast.note')}</p>
        <QueryView q={q}>
          {(f) => (
            <>
              <QuarterChart label={t('forecast.chart')} quarters={f.byQuarter.map((x) => x.quarter)} series={[
                { name: t('forecast.scheduled'), kind: 'bar', values: f.byQuarter.map((x) => x.scheduled) },
                { name: t('forecast.expected'), kind: 'line', values: f.byQuarter.map((x) => x.total.expected) },
                { name: 'P10', kind: 'band', values: f.byQuarter.map((x) => x.total.p10) },
                { name: 'P90', kind: 'band', values: f.byQuarter.map((x) => x.total.p90) },
              ]} />
              <Table rowKey="quarter" size="small" pagination={false} scroll={{ x: 'max-content' }} dataSource={f.byQuarter} columns={[
                { title: t('forecast.quarter'), dataIndex: 'quarter' },
                { title: t('forecast.scheduled'), align: 'right', render: (_: unknown, r) => money(r.scheduled) },
                { title: t('forecast.expected'), align: 'right', render: (_: unknown, r) => money(r.expected) },
                { title: t('forecast.band'), align: 'right', render: (_: unknown, r) => `${money(r.p10)} – ${money(r.p90)}` },
                { title: t('forecast.pipeline'), align: 'right', render: (_: unknown, r) => money(r.pipelineExpected) },
                { title: t('forecast.total'), align: 'right', render: (_: unknown, r) => money(r.total.expected) },
                { title: t('forecast.compensation'), align: 'right', render: (_: unknown, r) => money(r.expectedLoss.compensation) },
              ]} />
              <PageCard level={2} title={t('forecast.cash')}>
                <Table rowKey="year" size="small" pagination={false} dataSource={f.byBudgetYear} columns={[
                  { title: t('forecast.year'), dataIndex: 'year' },
                  { title: t('forecast.dueQuarters'), render: (_: unknown, r) => r.dueQuarters.join(' ') },
                  { title: t('forecast.accrued'), align: 'right', render: (_: unknown, r) => money(r.accrued) },
                  { title: t('forecast.total'), align: 'right', render: (_: unknown, r) => money(r.total.expected) },
                  { title: t('forecast.band'), align: 'right', render: (_: unknown, r) => `${money(r.total.p10)} – ${money(r.total.p90)}` },
                ]} />
              </PageCard>
              <PageCard level={2} title={t('forecast.exposure')}>
                <Table rowKey="companyId" size="small" pagination={false} scroll={{ x: 'max-content' }} dataSource={f.exposure} columns={[
                  { title: t('forecast.company'), dataIndex: 'name' },
                  { title: t('forecast.outstanding'), align: 'right', render: (_: unknown, r) => money(r.now.outstanding) },
                  { title: t('forecast.cap'), align: 'right', render: (_: unknown, r) => `${money(r.cap)} (${r.leverageCap} × ${money(r.deposit)})` },
                  { title: t('forecast.utilisation'), align: 'right', render: (_: unknown, r) => formatRate(r.now.utilisation) },
                  { title: t('forecast.warning'), render: (_: unknown, r) => ([r.now, ...r.byQuarter].some((p) => p.warning) ? <Tag color="red">{t('forecast.over80')}</Tag> : <Tag color="green">{t('forecast.under80')}</Tag>) },
                ]} />
              </PageCard>
            </>
          )}
        </QueryView>
      </PageCard>
      <WhatIfCard quarters={quarters} />
    </>
  );
}

interface WhatIfForm {
  subsidyMode?: 'share_of_interest' | 'above_borrower_rate';
  subsidyShare?: string;
  borrowerRateFloor?: string;
  guaranteeMin?: string;
  guaranteeMax?: string;
  rateCap?: string;
  leverageCap?: string;
  scope: 'new_loans_only' | 'reprice_open_loans';
}

/** Only what was filled in is changed; the rest stays as each policy version has it. */
function paramsOf(v: WhatIfForm): Params {
  const p: Record<string, unknown> = {};
  for (const k of ['subsidyMode', 'subsidyShare', 'borrowerRateFloor', 'guaranteeMin', 'guaranteeMax', 'rateCap'] as const) if (v[k]) p[k] = v[k];
  if (v.leverageCap) p.leverageCap = Number.parseInt(v.leverageCap, 10); // a count, not money
  return p as Params;
}

function WhatIfCard({ quarters }: { quarters: number }) {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const [form] = Form.useForm<WhatIfForm>();
  const [result, setResult] = useState<WhatIf | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const money = (v: string) => formatMoney(v, i18n.language);
  const saves = me?.role === 'finance_officer' || me?.role === 'finance_approver';
  const paging = useLocalPage((n) => t('common.total', { count: n }));
  const scenarios = useQuery({
    queryKey: ['forecast-scenarios', paging.page, paging.pageSize],
    queryFn: () => ok(api.GET('/v1/forecasts/scenarios', { params: { query: { page: paging.page, pageSize: paging.pageSize } } })),
  });

  /** A refusal of the scenario: its fields' messages beside them, anything else above the buttons. */
  const refused = (e: unknown) => {
    if (e instanceof ApiFailure) {
      if (e.status === 401) return; // the session ended: the sign-in page takes over
      const fields = e.details.filter((d) => d.path.startsWith('params.')).map((d) => ({ name: d.path.split('.')[1] as never, errors: [d.message] }));
      form.setFields(fields);
      if (!fields.length) setRefusal(e.status === 0 ? t('common.networkError') : e.message);
    } else setRefusal(String(e));
  };
  const run = async (v: WhatIfForm) => {
    setBusy(true);
    setRefusal(null);
    try {
      setResult((await ok(api.POST('/v1/forecasts/what-if', { params: { query: {} }, body: { params: paramsOf(v), scope: v.scope, quarters } }))) as WhatIf);
    } catch (e) {
      refused(e);
    } finally {
      setBusy(false);
    }
  };
  const downloadFile = async (v: WhatIfForm) => {
    setRefusal(null);
    await saveFile(api.POST('/v1/forecasts/what-if', { params: { query: { format: 'xlsx' } }, body: { params: paramsOf(v), scope: v.scope, quarters }, parseAs: 'blob' }), `what-if-${quarters}q.xlsx`).catch(refused);
  };
  // A form that does not validate says why beside its fields: nothing more to do.
  const shownBesideFields = () => undefined;
  const rate = { pattern: /^\d(\.\d{1,6})?$/, message: t('forecast.rateFormat') };
  const amount = { pattern: /^\d{1,15}(\.\d{1,2})?$/, message: t('forms.amountFormat') };

  return (
    <PageCard title={t('forecast.whatIf')}>
      <p className="lf-muted">{t('forecast.whatIfNote')}</p>
      <Form<WhatIfForm> form={form} name="what-if" layout="vertical" initialValues={{ scope: 'new_loans_only' }} onFinish={(v) => void run(v)}>
        <Space wrap align="start">
          <Form.Item label={t('forecast.subsidyMode')} name="subsidyMode">
            <Select allowClear style={{ width: 200 }} options={[{ value: 'share_of_interest', label: t('forecast.mode.share_of_interest') }, { value: 'above_borrower_rate', label: t('forecast.mode.above_borrower_rate') }]} />
          </Form.Item>
          <Form.Item label={t('forecast.subsidyShare')} name="subsidyShare" rules={[rate]}><Input inputMode="decimal" placeholder="1" style={{ width: 120 }} /></Form.Item>
          <Form.Item label={t('forecast.borrowerRateFloor')} name="borrowerRateFloor" rules={[rate]}><Input inputMode="decimal" placeholder="0.0150" style={{ width: 140 }} /></Form.Item>
          <Form.Item label={t('forecast.rateCap')} name="rateCap" rules={[rate]}><Input inputMode="decimal" placeholder="0.0600" style={{ width: 120 }} /></Form.Item>
          <Form.Item label={t('forecast.guaranteeMin')} name="guaranteeMin" rules={[amount]}><Input inputMode="decimal" placeholder="50000.00" style={{ width: 150 }} /></Form.Item>
          <Form.Item label={t('forecast.guaranteeMax')} name="guaranteeMax" rules={[amount]}><Input inputMode="decimal" placeholder="100000.00" style={{ width: 150 }} /></Form.Item>
          <Form.Item label={t('forecast.leverageCap')} name="leverageCap" rules={[{ pattern: /^\d{1,3}$/, message: t('forecast.wholeNumber') }]}><Input inputMode="numeric" placeholder="5" style={{ width: 100 }} /></Form.Item>
        </Space>
        <Form.Item label={t('forecast.scope')} name="scope">
          <Radio.Group options={[{ value: 'new_loans_only', label: t('forecast.newLoansOnly') }, { value: 'reprice_open_loans', label: t('forecast.reprice') }]} />
        </Form.Item>
        {refusal && <Alert type="error" showIcon role="alert" title={t('common.refused', { message: refusal })} style={{ marginBottom: 16 }} />}
        <Space wrap>
          <Button type="primary" htmlType="submit" loading={busy}>{t('forecast.run')}</Button>
          <Button onClick={() => void form.validateFields().then(downloadFile, shownBesideFields)}>{t('reports.xlsx')}</Button>
        </Space>
      </Form>
      {result && (
        <>
          <QuarterChart label={t('forecast.whatIfChart')} quarters={result.byQuarter.map((x) => x.quarter)} series={[
            { name: t('forecast.today'), kind: 'line', values: result.byQuarter.map((x) => x.expected.today) },
            { name: t('forecast.scenario'), kind: 'line', values: result.byQuarter.map((x) => x.expected.scenario) },
          ]} />
          <Table rowKey="quarter" size="small" pagination={false} scroll={{ x: 'max-content' }} dataSource={result.byQuarter} columns={[
            { title: t('forecast.quarter'), dataIndex: 'quarter' },
            { title: t('forecast.today'), align: 'right', render: (_: unknown, r) => money(r.expected.today) },
            { title: t('forecast.scenario'), align: 'right', render: (_: unknown, r) => money(r.expected.scenario) },
            { title: t('forecast.difference'), align: 'right', render: (_: unknown, r) => money(r.expected.difference) },
            { title: t('forecast.compensationToday'), align: 'right', render: (_: unknown, r) => money(r.compensation.today) },
            { title: t('forecast.compensationScenario'), align: 'right', render: (_: unknown, r) => money(r.compensation.scenario) },
          ]} />
          <Table rowKey="year" size="small" pagination={false} style={{ marginTop: 16 }} dataSource={result.byBudgetYear} columns={[
            { title: t('forecast.year'), dataIndex: 'year' },
            { title: t('forecast.today'), align: 'right', render: (_: unknown, r) => money(r.expected.today) },
            { title: t('forecast.scenario'), align: 'right', render: (_: unknown, r) => money(r.expected.scenario) },
            { title: t('forecast.difference'), align: 'right', render: (_: unknown, r) => money(r.expected.difference) },
          ]} />
          <p style={{ marginTop: 12 }}>{t('forecast.eligibility', { eligible: result.pipeline.becomeEligible, ineligible: result.pipeline.becomeIneligible, count: result.pipeline.applications })}</p>
          {saves && (
            <PageCard level={2} title={t('forecast.save')}>
              <DecisionForm<{ name: string }> submitLabel={t('forecast.saveButton')}
                send={(body, key) => ok(api.POST('/v1/forecasts/scenarios', { body: { name: body.name, params: result.scenario.params, scope: result.scenario.scope }, ...idempotent(key) }))}>
                <Form.Item label={t('forecast.scenarioName')} name="name" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input style={{ width: 320 }} /></Form.Item>
              </DecisionForm>
            </PageCard>
          )}
        </>
      )}
      <QueryCard level={2} title={t('forecast.saved')} q={scenarios} empty={(d) => d.total === 0}>
        {({ items: list, total }) => (
          <Table rowKey="id" size="small" pagination={paging.pagination(total)} scroll={{ x: 'max-content' }} dataSource={list} columns={[
            { title: t('common.name'), dataIndex: 'name' },
            { title: t('forecast.changes'), render: (_: unknown, r) => `${JSON.stringify(r.params)} · ${r.scope === 'new_loans_only' ? t('forecast.newLoansOnly') : t('forecast.reprice')}` },
            { title: t('forecast.savedBy'), render: (_: unknown, r) => `${r.savedBy.username} · ${r.savedAt.slice(0, 10)}` },
          ]} />
        )}
      </QueryCard>
    </PageCard>
  );
}
