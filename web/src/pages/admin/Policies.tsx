import { Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { PageCard } from '../../components/PageCard';
import { QueryView } from '../../components/States';

type Params = Record<string, unknown>;

/** The parameters that differ from the version before (by effective date), as "key: old → new". */
function changes(prev: Params | undefined, cur: Params): string[] {
  if (!prev) return [];
  return Object.keys(cur)
    .filter((k) => JSON.stringify(prev[k]) !== JSON.stringify(cur[k]))
    .map((k) => `${k}: ${JSON.stringify(prev[k])} → ${JSON.stringify(cur[k])}`);
}

export default function PoliciesPage() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['policies'], queryFn: () => ok(api.GET('/v1/policies')) });
  return (
    <PageCard title={t('admin.policies')}>
      <QueryView q={q} empty={(d) => d.length === 0}>
        {(all) => {
          const sorted = [...all].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
          const rows = sorted.map((p, i) => ({ ...p, diff: changes(sorted[i - 1]?.params as Params | undefined, p.params as Params) })).reverse();
          return (
            <Table rowKey="id" size="small" dataSource={rows} pagination={false} scroll={{ x: 700 }}
              columns={[
                { title: t('admin.effectiveFrom'), dataIndex: 'effectiveFrom' },
                { title: t('admin.changes'), dataIndex: 'diff', render: (d: string[]) => d.map((x) => <Tag key={x}>{x}</Tag>) },
              ]} />
          );
        }}
      </QueryView>
    </PageCard>
  );
}
