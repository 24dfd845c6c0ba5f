import { useEffect, type ReactNode } from 'react';
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, early, ok } from '../api/client';
import type { components, paths } from '../api/schema';
import { QueryView } from '../components/States';
import { Countdown } from '../components/Countdown';
import { LightTable, type Column } from '../components/LightTable';
import { formatMoney } from '../lib/money';
import { formatDateTime } from '../lib/dates';
import { pageOf, short, useUrlState } from '../lib/url-state';

type Task = components['schemas']['Task'];
type TasksPage = paths['/v1/tasks']['get']['responses'][200]['content']['application/json'];

/** Where each kind of task is done, and how it is named in its row. */
function target(t: Task): { to: string; ref: string } {
  switch (t.kind) {
    case 'application':
      return { to: `/applications/${t.applicationId}`, ref: short(t.applicationId) };
    case 'subsidy_claim':
      return { to: `/claims/${t.claimId}`, ref: short(t.claimId) };
    case 'fund_top_up':
      return { to: `/funds?fund=${t.fundId}&proposal=${t.proposalId}`, ref: short(t.proposalId) };
    case 'period_reopen':
      return { to: `/periods?quarter=${t.quarter}`, ref: t.quarter };
    case 'loan_recovery':
      return { to: `/loans/${t.loanId}`, ref: t.contractNo };
    case 'follow_up_visit':
      // The loan's screen opens with this visit's form.
      return { to: `/loans/${t.loanId}?visit=${t.months}`, ref: t.contractNo };
    case 'training_claim':
      // The claims' screen opens with the claims the caller acts on expanded, their forms shown.
      return { to: `/training-claims?claim=${t.claimId}`, ref: t.classRef };
    case 'incubator_reward':
      return { to: `/incubators?reward=${t.claimId}`, ref: short(t.claimId) };
  }
}

const keyOf = (t: Task) => `${t.kind}:${target(t).to}`;

const tasksQuery = (page: number, pageSize: number) => ({
  queryKey: ['tasks', page, pageSize],
  queryFn: () => ok(early<TasksPage>(`/v1/tasks?page=${page}&pageSize=${pageSize}`) ?? api.GET('/v1/tasks', { params: { query: { page, pageSize } } })),
});

/**
 * Called before the first render: when index.html started my tasks' read, its answer goes straight
 * into the cache, so the list renders with its rows the first time it is drawn.
 */
export function prefetchTasks(queries: QueryClient): void {
  if (location.pathname !== '/tasks') return;
  const { page, pageSize } = pageOf(new URLSearchParams(location.search));
  void queries.prefetchQuery(tasksQuery(page, pageSize));
}

/** My tasks (我的待办): applications waiting for my step first, overdue ones leading; then the rest, oldest first. */
export function TasksPage() {
  const { t, i18n } = useTranslation();
  const { page, pageSize, set } = useUrlState([]);
  const q = useQuery({ ...tasksQuery(page, pageSize), refetchInterval: 60_000 });
  // The moment the list can be used (bench/web.ts reads it): once, when the first data is on screen.
  useEffect(() => {
    if (q.data && performance.getEntriesByName('lf:tasks-usable').length === 0) performance.mark('lf:tasks-usable');
  }, [q.data]);
  const money = (v: string | null | undefined) => formatMoney(v, i18n.language);
  const reminders = q.data?.items.filter((x) => (x.kind === 'application' && (x.reminderDue || x.overdue)) || (x.kind === 'follow_up_visit' && x.overdue)).length ?? 0;
  const columns: Column<Task>[] = [
    {
      key: 'what',
      title: t('tasks.what'),
      render: (r) => {
        const { ref } = target(r);
        const label: ReactNode =
          r.kind === 'application' ? t(`status.${r.status}`)
          : r.kind === 'subsidy_claim' ? t(`tasks.claim.${r.status}`)
          : r.kind === 'follow_up_visit' ? t('tasks.visit', { months: r.months })
          : r.kind === 'training_claim' ? t(`tasks.trainingClaim.${r.status}`)
          : r.kind === 'incubator_reward' ? t(`tasks.incubatorReward.${r.status}`)
          : t(`tasks.kind.${r.kind}`);
        return (<><span className="lf-tag lf-tag-blue">{label}</span><span>{ref}</span></>);
      },
    },
    {
      key: 'subject',
      title: t('tasks.subject'),
      render: (r) =>
        r.kind === 'application' ? r.name
        : r.kind === 'subsidy_claim' ? `${r.bankName} · ${r.quarter}${r.late ? ` · ${t('claims.late')}` : ''}`
        : r.kind === 'fund_top_up' ? `${r.fundName}：${r.reason}`
        : r.kind === 'period_reopen' ? `${r.quarter}：${r.reason}`
        : r.kind === 'training_claim' ? `${r.institutionName} · ${r.course} · ${t(`programmes.part.${r.part}`)}`
        : r.kind === 'incubator_reward' ? `${r.enterpriseName} · ${r.incubatorName}`
        : `${r.name}（${r.contractNo}）`,
    },
    {
      key: 'amount',
      title: t('common.amount'),
      align: 'right',
      render: (r) =>
        r.kind === 'application' ? money(r.approvedAmount ?? r.recommendedAmount ?? r.requestedAmount)
        : r.kind === 'subsidy_claim' ? money(r.total)
        : r.kind === 'fund_top_up' ? money(r.amount)
        : r.kind === 'loan_recovery' ? money(r.toRecover)
        : r.kind === 'training_claim' ? money(r.amount)
        : r.kind === 'incubator_reward' ? money(r.amountEach)
        : '—',
    },
    {
      key: 'maker',
      title: t('tasks.maker'),
      render: (r) =>
        r.kind === 'application' ? (r.reviewedBy ? `${t('tasks.reviewedBy')}：${r.reviewedBy}` : '—')
        : r.kind === 'subsidy_claim' ? (r.status === 'REJECTED' ? `${t('claims.status.REJECTED')}（${r.rejectedBy ?? '—'}）：${r.rejectionReason ?? ''}` : r.checkedBy ? `${t('claims.checkedBy')}：${r.checkedBy}` : '—')
        : r.kind === 'fund_top_up' || r.kind === 'period_reopen' ? `${t('funds.proposedBy')}：${r.proposedBy}`
        : (r.kind === 'training_claim' || r.kind === 'incubator_reward') && r.checkedBy ? `${t('claims.checkedBy')}：${r.checkedBy}`
        : '—',
    },
    {
      key: 'when',
      title: t('tasks.deadline'),
      render: (r) =>
        r.kind === 'application' ? (
          <><div>{formatDateTime(r.deadline)}</div><Countdown deadline={r.deadline} reminderAt={r.reminderAt} /></>
        ) : r.kind === 'follow_up_visit' ? (
          r.overdue ? <span className="lf-tag lf-tag-red">{t('tasks.visitOverdue', { on: r.overdueOn })}</span> : <span className="lf-muted">{t('tasks.visitDue', { due: r.dueOn })}</span>
        ) : (
          <span className="lf-muted">{t('tasks.since', { at: formatDateTime(r.since) })}</span>
        ),
    },
    {
      key: 'open',
      title: t('common.actions'),
      render: (r) => {
        const { to, ref } = target(r);
        return <Link to={to} aria-label={`${t('tasks.open')} ${ref}`}>{t('tasks.open')}</Link>;
      },
    },
  ];
  return (
    <section className="lf-card" aria-labelledby="tasks-title">
      <h1 id="tasks-title" className="lf-h1">
        {t('tasks.title')} {reminders > 0 && <span className="lf-tag lf-tag-red" title={`${t('tasks.reminder')} ${reminders}`}>{t('tasks.reminders', { count: reminders })}</span>}
      </h1>
      <QueryView q={q} empty={(d) => d.total === 0 && page === 1} emptyText={t('tasks.none')}>
        {(d) => (
          <LightTable<Task>
            caption={t('tasks.title')}
            rows={d.items}
            columns={columns}
            rowKey={keyOf}
            rowClassName={(r) => ((r.kind === 'application' || r.kind === 'follow_up_visit') && r.overdue ? 'lf-overdue' : '')}
            page={page}
            pageSize={pageSize}
            total={d.total}
            onPage={(p) => set({ page: p })}
          />
        )}
      </QueryView>
    </section>
  );
}
