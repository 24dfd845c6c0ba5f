import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import { DecisionForm } from '../components/DecisionForm';
import { idNumberProblemKey } from '../lib/id-number';
import type { components } from '../api/schema';

type V = components['schemas']['Registration'];

export default function RegisterPage() {
  const { t } = useTranslation();
  const [received, setReceived] = useState(false);
  return (
    <main style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card style={{ width: '100%', maxWidth: 480 }}>
        <Typography.Title level={1} style={{ fontSize: 20 }}>{t('register.title')}</Typography.Title>
        {received ? (
          // 202 whatever happened: the outcome is learnt by signing in (no account is confirmed here).
          <>
            <Alert type="success" showIcon title={t('register.received')} role="status" style={{ marginBottom: 16 }} />
            <Link to="/login"><Button type="primary">{t('register.toLogin')}</Button></Link>
          </>
        ) : (
          <DecisionForm<V> submitLabel={t('register.submit')} send={(body) => ok(api.POST('/v1/auth/register', { body }))} onDone={() => setReceived(true)}>
            <Form.Item label={t('register.idNumber')} name="idNumber" validateFirst hasFeedback
              rules={[{ required: true, message: t('forms.required') }, { validator: async (_r, v: string) => { const k = v && idNumberProblemKey(v); if (k) throw new Error(t('forms.idNumberInvalid', { problem: t(k) })); } }]}>
              <Input autoComplete="off" maxLength={18} />
            </Form.Item>
            <Form.Item label={t('register.name')} name="name" rules={[{ required: true, whitespace: true, message: t('forms.required') }]}><Input autoComplete="name" /></Form.Item>
            <Form.Item label={t('register.phone')} name="phone" rules={[{ required: true, message: t('forms.required') }]}><Input autoComplete="tel" inputMode="tel" /></Form.Item>
            <Form.Item label={t('register.username')} name="username" rules={[{ required: true, message: t('forms.required') }]}><Input autoComplete="username" /></Form.Item>
            <Form.Item label={t('register.password')} name="password" rules={[{ required: true, min: 8, message: t('register.password') }]}><Input.Password autoComplete="new-password" /></Form.Item>
          </DecisionForm>
        )}
      </Card>
    </main>
  );
}
