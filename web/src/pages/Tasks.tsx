import { Card, Table, Tag, Typography, Badge } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import type { components } from '../api/schema';
import { QueryView } from '../components/States';
import { Countdown } from '../components/Countdown';
import { formatMoney } from '../lib/money';
import { formatDateTime } from '../lib/dates';
import { short, useUrlState } from '../lib/url-state';
import { useSession } from '../session';

type Task = components['schemas']['Task'];

export function TasksPage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const { page, pageSize, set } = useUrlState([]);
  const q = useQuery({
    queryKey: ['tasks', page, pageSize],
    queryFn: () => ok(api.GET('/v1/tasks', { params: { query: { page, pageSize } } })),
    refetchInterval: 60_000,
  });
  const reminders = q.data?.items.filter((x) => x.reminderDue || x.overdue).length ?? 0;
  return (
    <Card
      title={
        <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
          {t('tasks.title')} <Badge count={reminders} title={`${t("tasks.reminder")} ${reminders}`} />
        </Typography.Title>
      }
    >
      <QueryView q={q} empty={(d) => d.total === 0 && page === 1}>
        {(d) => (
          <Table<Task>
            rowKey="applicationId"
            dataSource={d.items}
            scroll={{ x: 900 }}
            rowClassName={(r) => (r.overdue ? 'lf-overdue' : '')}
            pagination={{ current: page, pageSize, total: d.total, showTotal: (n) => t('common.total', { count: n }), onChange: (p, s) => set({ page: p, pageSize: s }) }}
            columns={[
              { title: t('tasks.applicant'), dataIndex: 'applicationId', render: (id: string) => <Link to={`/applications/${id}`}>{short(id)}</Link> },
              { title: t('common.name'), dataIndex: 'name' },
              { title: t('tasks.step'), dataIndex: 'status', render: (s: string) => <Tag>{t(`status.${s}`)}</Tag> },
              {
                title: t('common.amount'),
                align: 'right',
                render: (_: unknown, r) => formatMoney(r.approvedAmount ?? r.recommendedAmount ?? r.requestedAmount, i18n.language),
              },
              ...(me?.role === 'guarantee_approver' ? [{ title: t('tasks.reviewedBy'), dataIndex: 'reviewedBy' }] : []),
              { title: t('tasks.deadline'), dataIndex: 'deadline', render: (v: string) => formatDateTime(v) },
              { title: t('tasks.left'), render: (_: unknown, r) => <Countdown deadline={r.deadline} reminderAt={r.reminderAt} /> },
              { title: t('common.actions'), render: (_: unknown, r) => <Link to={`/applications/${r.applicationId}`} aria-label={`${t('tasks.open')} ${short(r.applicationId)}`}>{t('tasks.open')}</Link> },
            ]}
          />
        )}
      </QueryView>
    </Card>
  );
}
