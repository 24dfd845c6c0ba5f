import { Form, Input, Select, Space, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, idempotent, ok } from '../../api/client';
import type { components } from '../../api/schema';
import { DecisionForm } from '../../components/DecisionForm';
import { PageCard } from '../../components/PageCard';
import { QueryCard } from '../../components/QueryCard';
import { useOrganisations } from '../../lib/organisations';
import { ORG_TYPES } from '../../lib/roles-orgs';

type NewOrganisation = components['schemas']['NewOrganisation'];

/** Organisations (机构): training institutions, credit communities, guarantee companies, banks, finance bureaus. */
export default function OrganisationsPage() {
  const { t } = useTranslation();
  const orgs = useOrganisations();
  const [form] = Form.useForm<NewOrganisation>();
  return (
    <>
      <PageCard title={t('admin.newOrganisation')}>
        <DecisionForm<NewOrganisation> form={form} submitLabel={t('admin.create')} send={(body, key) => ok(api.POST('/v1/organisations', { body, ...idempotent(key) }))} onDone={() => form.resetFields()}>
          <Space wrap align="start">
            <Form.Item label={t('admin.orgType')} name="type" rules={[{ required: true, message: t('forms.required') }]}>
              <Select style={{ width: 200 }} options={ORG_TYPES.map((o) => ({ value: o, label: t(`admin.orgTypes.${o}`) }))} />
            </Form.Item>
            <Form.Item label={t('common.name')} name="name" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input style={{ width: 280 }} /></Form.Item>
            <Form.Item label={t('reports.group.region')} name="region" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input /></Form.Item>
          </Space>
        </DecisionForm>
      </PageCard>
      <QueryCard title={t('admin.organisations')} level={2} q={orgs.q} empty={(d) => d.length === 0}>
        {(rows) => (
          <Table rowKey="id" size="small" dataSource={[...rows].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name))} scroll={{ x: 600 }} pagination={{ pageSize: 50, hideOnSinglePage: true }}
            columns={[
              { title: t('common.name'), dataIndex: 'name' },
              { title: t('admin.orgType'), dataIndex: 'type', render: (v: string) => t(`admin.orgTypes.${v}`) },
              { title: t('reports.group.region'), dataIndex: 'region' },
            ]} />
        )}
      </QueryCard>
    </>
  );
}
