import { Form, Input, Select, Space, Switch, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, idempotent, ok } from '../../api/client';
import type { components } from '../../api/schema';
import { DecisionForm } from '../../components/DecisionForm';
import { PageCard } from '../../components/PageCard';
import { QueryCard } from '../../components/QueryCard';
import { useOrganisations } from '../../lib/organisations';
import { OFFICER_ROLES, ORG_TYPE_OF_ROLE } from '../../lib/roles-orgs';
import { usePagedList } from '../../lib/paged-list';

type User = components['schemas']['User'];
type NewUser = components['schemas']['NewUser'];
type Change = components['schemas']['UserChange'];

/** Accounts (用户): officers' accounts are made here; a role, an organisation or the active flag is changed here. */
export default function UsersPage() {
  const { t } = useTranslation();
  const { page, pageSize, set, q } = usePagedList('users', [], (_, p) => ok(api.GET('/v1/users', { params: { query: p } })));
  const orgs = useOrganisations();
  const roleOptions = OFFICER_ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }));
  const orgOptions = (role: string | undefined) => {
    const type = role ? ORG_TYPE_OF_ROLE[role] : undefined;
    return type ? orgs.ofType(type).map((o) => ({ value: o.id, label: o.name })) : [];
  };
  const [form] = Form.useForm<NewUser>();
  const role = Form.useWatch('role', form);
  return (
    <>
      <PageCard title={t('admin.newUser')}>
        <DecisionForm<NewUser>
          form={form}
          submitLabel={t('admin.create')}
          send={(body, key) => ok(api.POST('/v1/users', { body: { ...body, name: body.name?.trim() || undefined }, ...idempotent(key) }))}
          onDone={() => form.resetFields()}
        >
          <Space wrap align="start">
            <Form.Item label={t('login.username')} name="username" rules={[{ required: true, message: t('forms.required') }]} extra={t('admin.usernameRule')}><Input autoComplete="off" /></Form.Item>
            <Form.Item label={t('admin.initialPassword')} name="password" rules={[{ required: true, min: 8, message: t('register.password') }]}><Input.Password autoComplete="new-password" /></Form.Item>
            <Form.Item label={t('common.name')} name="name"><Input /></Form.Item>
          </Space>
          <Space wrap align="start">
            <Form.Item label={t('admin.role')} name="role" rules={[{ required: true, message: t('forms.required') }]}>
              <Select style={{ width: 200 }} options={roleOptions} onChange={() => form.setFieldValue('orgId', undefined)} />
            </Form.Item>
            {role && ORG_TYPE_OF_ROLE[role] && (
              <Form.Item label={t('admin.organisation')} name="orgId" rules={[{ required: true, message: t('forms.required') }]}>
                <Select style={{ width: 280 }} options={orgOptions(role)} />
              </Form.Item>
            )}
          </Space>
        </DecisionForm>
      </PageCard>
      <QueryCard title={t('admin.users')} level={2} q={q}>
        {(users) => (
          <Table<User> rowKey="id" size="small" dataSource={users.items} scroll={{ x: 800 }}
            pagination={{ current: page, pageSize, total: users.total, hideOnSinglePage: true, showTotal: (n) => t('common.total', { count: n }), onChange: (p, s) => set({ page: p, pageSize: s }) }}
            expandable={{
              rowExpandable: (u) => u.role !== 'applicant',
              expandedRowRender: (u) => <EditUser u={u} orgOptions={orgOptions} roleOptions={roleOptions} />,
            }}
            columns={[
              { title: t('login.username'), dataIndex: 'username' },
              { title: t('common.name'), dataIndex: 'name' },
              { title: t('admin.role'), dataIndex: 'role', render: (r: string) => t(`role.${r}`) },
              { title: t('admin.organisation'), dataIndex: 'orgId', render: (o: string | null) => (o ? orgs.name(o) : '—') },
              { title: t('admin.active'), dataIndex: 'active', render: (a: boolean) => <Tag color={a ? 'green' : 'default'}>{a ? t('common.yes') : t('common.no')}</Tag> },
            ]} />
        )}
      </QueryCard>
    </>
  );
}

function EditUser({ u, orgOptions, roleOptions }: { u: User; orgOptions: (role: string | undefined) => Array<{ value: string; label: string }>; roleOptions: Array<{ value: string; label: string }> }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Change>();
  const role = Form.useWatch('role', form) ?? u.role;
  return (
    <DecisionForm<Change>
      form={form}
      submitLabel={t('admin.save', { name: u.username })}
      initialValues={{ role: u.role as Change['role'], orgId: u.orgId, active: u.active }}
      send={(v, key) => ok(api.PATCH('/v1/users/{id}', { params: { path: { id: u.id } }, body: { role: v.role, orgId: ORG_TYPE_OF_ROLE[v.role ?? ''] ? v.orgId : null, active: v.active }, ...idempotent(key) }))}
    >
      <Space wrap align="start">
        <Form.Item label={t('admin.role')} name="role"><Select style={{ width: 200 }} options={roleOptions} onChange={() => form.setFieldValue('orgId', undefined)} /></Form.Item>
        {ORG_TYPE_OF_ROLE[role] && (
          <Form.Item label={t('admin.organisation')} name="orgId" rules={[{ required: true, message: t('forms.required') }]}><Select style={{ width: 280 }} options={orgOptions(role)} /></Form.Item>
        )}
        <Form.Item label={t('admin.active')} name="active" valuePropName="checked"><Switch /></Form.Item>
      </Space>
    </DecisionForm>
  );
}
