import { Table } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { PageCard } from '../../components/PageCard';
import { QueryView } from '../../components/States';

export default function OrganisationsPage() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['organisations'], queryFn: () => ok(api.GET('/v1/organisations', { params: { query: {} } })) });
  return (
    <PageCard title={t('admin.organisations')}>
      <QueryView q={q} empty={(d) => d.length === 0}>
        {(rows) => (
          <Table rowKey="id" size="small" dataSource={rows} scroll={{ x: 600 }}
            columns={[
              { title: t('common.name'), dataIndex: 'name' },
              { title: t('reports.group.region'), dataIndex: 'region' },
              { title: t('common.status'), dataIndex: 'type' },
            ]} />
        )}
      </QueryView>
    </PageCard>
  );
}
