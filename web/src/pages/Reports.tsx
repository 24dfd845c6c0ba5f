import { useCallback, useEffect, useRef } from 'react';
import { Button, Input, Select, Space, Table } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { api, ok } from '../api/client';
import type { components } from '../api/schema';
import { PageCard } from '../components/PageCard';
import { useDownload } from '../components/Download';
import { QueryView } from '../components/States';
import { formatMoney, groupDecimal, formatRate } from '../lib/money';
import { todayInChina } from '../lib/dates';
import { useUrlState } from '../lib/url-state';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer]);

type Report = components['schemas']['KpiReport'];
type GroupBy = Report['groupBy'];

/** A column's label in the officers' words; the server's own label when the console has none. */
export function useColumnLabel() {
  const { t } = useTranslation();
  return useCallback((c: { key: string; label: string }) => {
    const status = /^applications_([a-z_]+)$/.exec(c.key)?.[1];
    if (status) return t('kpi.nowStatus', { status: t(`status.${status.toUpperCase()}`) });
    const step = /^days_([a-z_]+)$/.exec(c.key)?.[1];
    if (step) return t('kpi.days', { step: t(`step.${step}`) });
    const rejectedAt = /^rejected_([a-z_]+)$/.exec(c.key)?.[1];
    if (rejectedAt) return t('kpi.rejectedAt', { step: t(`step.${rejectedAt}`) });
    // An indicator's target and whether it is met: named after the indicator, without its own "(target …)".
    const targeted = /^(.+)_(target|met)$/.exec(c.key);
    if (targeted) {
      const indicator = t(`kpi.${targeted[1]}`, { defaultValue: targeted[1] }).replace(/[（(]目标.*$|\s*\(target.*$/, '');
      return t(targeted[2] === 'target' ? 'kpi.target' : 'kpi.met', { indicator });
    }
    return t(`kpi.${c.key}`, { defaultValue: c.label });
  }, [t]);
}

/** The counts the chart compares per group. */
const CHARTED = ['applications', 'approved', 'loans_disbursed', 'defaults'];

/** A chart of counts per group (counts are integers, so charting them computes no money). */
function Chart({ report }: { report: Report }) {
  const el = useRef<HTMLDivElement>(null);
  const { t } = useTranslation();
  const label = useColumnLabel();
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current, undefined, { renderer: 'svg' });
    const counts = report.columns.filter((c) => CHARTED.includes(c.key));
    chart.setOption({
      aria: { enabled: true },
      tooltip: {},
      legend: {},
      grid: { left: 48, right: 16, bottom: 64 },
      xAxis: { type: 'category', data: report.rows.map((r) => r.name), axisLabel: { interval: 0, overflow: 'break', width: 120 } },
      yAxis: { type: 'value' },
      series: counts.map((c) => ({ type: 'bar', name: label(c), data: report.rows.map((r) => r.values[c.key] ?? 0) })),
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [report, t, label]);
  // ECharts' aria component describes the chart on its own container; the figure names it.
  return (
    <figure aria-label={t('reports.chart')} style={{ margin: 0 }}>
      <div ref={el} style={{ height: 320, width: '100%' }} />
    </figure>
  );
}

export default function ReportsPage() {
  const { t, i18n } = useTranslation();
  const label = useColumnLabel();
  const { values, set } = useUrlState(['from', 'to', 'groupBy'] as const);
  const today = todayInChina();
  const from = values.from ?? `${today.slice(0, 4)}-01-01`;
  const to = values.to ?? today;
  const groupBy = (values.groupBy ?? 'bank') as GroupBy;
  const { save, alert } = useDownload();
  const download = (format: 'csv' | 'xlsx') =>
    void save(api.GET('/v1/reports/kpi', { params: { query: { from, to, groupBy, format } }, parseAs: 'blob' }), `kpi-${from}-${to}-${groupBy}.${format}`);
  const q = useQuery({ queryKey: ['kpi', from, to, groupBy], queryFn: () => ok(api.GET('/v1/reports/kpi', { params: { query: { from, to, groupBy } } })) as Promise<Report> });
  const cell = (kind: string, v: number | string | boolean | null | undefined) =>
    v === null || v === undefined ? '—'
    : kind === 'flag' ? <span className={`lf-tag ${v ? 'lf-tag-green' : 'lf-tag-red'}`}>{v ? t('kpi.yes') : t('kpi.no')}</span>
    : kind === 'money' ? formatMoney(String(v), i18n.language) : kind === 'rate' ? formatRate(String(v)) : kind === 'days' || kind === 'ratio' ? groupDecimal(String(v)) : String(v);
  return (
    <PageCard title={t('reports.title')}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input aria-label={t('reports.from')} addonBefore={t('reports.from')} defaultValue={from} style={{ width: 200 }} onBlur={(e) => set({ from: e.target.value })} />
        <Input aria-label={t('reports.to')} addonBefore={t('reports.to')} defaultValue={to} style={{ width: 200 }} onBlur={(e) => set({ to: e.target.value })} />
        <Select aria-label={t('reports.groupBy')} value={groupBy} style={{ width: 160 }} onChange={(v) => set({ groupBy: v })}
          options={(['region', 'community', 'bank', 'training_institution'] as const).map((g) => ({ value: g, label: t(`reports.group.${g}`) }))} />
        <Button onClick={() => download('csv')}>{t('reports.csv')}</Button>
        <Button onClick={() => download('xlsx')}>{t('reports.xlsx')}</Button>
      </Space>
      {alert}
      <QueryView q={q}>
        {(r) => (
          <>
            <Chart report={r} />
            <Table rowKey="key" size="small" pagination={false} scroll={{ x: 'max-content' }} dataSource={[...r.rows, { ...r.total, name: t('reports.total') }]}
              columns={[{ title: t(`reports.group.${groupBy}`), dataIndex: 'name', fixed: 'left' as const, width: 180 }, ...r.columns.map((c) => ({
                title: label(c), key: c.key, width: c.kind === 'text' ? 220 : 120, align: c.kind === 'text' ? undefined : ('right' as const), render: (_: unknown, row: Report['total']) => cell(c.kind, row.values[c.key]),
              }))]} />
            {r.notComputable.length > 0 && (
              <p className="lf-muted" style={{ marginTop: 12 }}>{t('kpi.notComputable')}{r.notComputable.map((n) => `${label({ key: n.key, label: n.key })}（${n.why}）`).join('；')}</p>
            )}
          </>
        )}
      </QueryView>
    </PageCard>
  );
}
