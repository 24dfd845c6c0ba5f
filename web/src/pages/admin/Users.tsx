import { Table, Tag } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { PageCard } from '../../components/PageCard';
import { QueryView } from '../../components/States';

export default function UsersPage() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['users'], queryFn: () => ok(api.GET('/v1/users')) });
  return (
    <PageCard title={t('admin.users')}>
      <QueryView q={q}>
        {(users) => (
          <Table rowKey="id" size="small" dataSource={users as Array<{ id: string; username: string; role: string; active: boolean; name: string | null }>} scroll={{ x: 700 }}
            columns={[
              { title: t('login.username'), dataIndex: 'username' },
              { title: t('common.name'), dataIndex: 'name' },
              { title: t('common.status'), dataIndex: 'role', render: (r: string) => t(`role.${r}`) },
              { title: t('admin.active'), dataIndex: 'active', render: (a: boolean) => <Tag color={a ? 'green' : 'default'}>{a ? t('common.yes') : t('common.no')}</Tag> },
            ]} />
        )}
      </QueryView>
    </PageCard>
  );
}
