import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useSession } from '../session';
import { useLocale } from '../locale';
import { ApiFailure } from '../api/client';
import { homeOf } from '../roles';
import { Select } from 'antd';

export function LoginPage() {
  const { t } = useTranslation();
  const { me, expired, signIn } = useSession();
  const { lang, setLang } = useLocale();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Only a path of this console: an address elsewhere is never followed.
  const next = params.get('next');
  const back = next && next.startsWith('/') && !next.startsWith('//') ? next : null;
  if (me && !busy) return <Navigate to={back ?? homeOf(me.role)} replace />;

  const onFinish = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const user = await signIn(v.username, v.password);
      navigate(back ?? homeOf(user.role), { replace: true });
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 429) setError(t('login.locked', { message: e.message, seconds: e.retryAfterSeconds ?? '?' }));
      else if (e instanceof ApiFailure && e.status === 401) setError(t('login.failed'));
      else if (e instanceof ApiFailure) setError(e.status === 0 ? t('common.networkError') : e.message);
      else setError(String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card style={{ width: '100%', maxWidth: 400 }}>
        <Space orientation="vertical" style={{ width: '100%' }} size="middle">
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>{t('app.title')}</Typography.Title>
          <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>{t('login.title')}</Typography.Title>
          {expired && <Alert type="warning" showIcon title={t('login.expired')} />}
          {error && <Alert type="error" showIcon title={error} role="alert" />}
          <Form layout="vertical" onFinish={onFinish} requiredMark={false}>
            <Form.Item label={t('login.username')} name="username" rules={[{ required: true, message: t('forms.required') }]}>
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item label={t('login.password')} name="password" rules={[{ required: true, message: t('forms.required') }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>{t('login.submit')}</Button>
          </Form>
          <Space style={{ justifyContent: 'space-between', width: '100%' }}>
            <Link to="/register">{t('login.register')}</Link>
            <Select
              aria-label={t('lang.label')}
              value={lang}
              onChange={setLang}
              style={{ width: 100 }}
              options={[{ value: 'zh-CN', label: t('lang.zh') }, { value: 'en-US', label: t('lang.en') }]}
            />
          </Space>
        </Space>
      </Card>
    </main>
  );
}
