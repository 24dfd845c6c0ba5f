import { Suspense, type ReactNode } from 'react';
import { Layout, Menu, Button, Select, Space, Typography, Input, Grid } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useSession } from '../session';
import { useLocale } from '../locale';
import { MENU, PATHS, canSearch } from '../roles';
import { Loading } from './States';

export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { me, signOut } = useSession();
  const { lang, setLang } = useLocale();
  const location = useLocation();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const narrow = !screens.md;
  if (!me) return null;
  const items = (MENU[me.role] ?? []).map((k) => ({
    key: PATHS[k],
    label: <Link to={PATHS[k]}>{t(`nav.${me.role === 'applicant' && k === 'applications' ? 'myApplication' : me.role === 'applicant' && k === 'loans' ? 'myLoan' : k}`)}</Link>,
  }));
  const selected = items.map((i) => i.key).filter((k) => location.pathname.startsWith(k)).sort((a, b) => b.length - a.length)[0];
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a href="#main" className="lf-skip">{t('app.skip')}</a>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: narrow ? 12 : 24, flexWrap: 'wrap', height: 'auto', minHeight: 64 }}>
        <Typography.Text strong style={{ color: '#fff', fontSize: 16, whiteSpace: 'nowrap' }}>{t('app.title')}</Typography.Text>
        <nav aria-label={t('app.title')} style={{ flex: 1, minWidth: 0 }}>
          <Menu theme="dark" mode="horizontal" disabledOverflow selectedKeys={selected ? [selected] : []} items={items} style={{ minWidth: 0 }} />
        </nav>
        <Space wrap>
          {canSearch(me.role) && (
            <Input.Search
              aria-label={t('apps.search')}
              placeholder={t('apps.search')}
              allowClear
              style={{ width: 240 }}
              onSearch={(q) => navigate(q ? `/applications?q=${encodeURIComponent(q)}` : '/applications')}
            />
          )}
          <Select
            aria-label={t('lang.label')}
            value={lang}
            onChange={setLang}
            style={{ width: 100 }}
            options={[{ value: 'zh-CN', label: t('lang.zh') }, { value: 'en-US', label: t('lang.en') }]}
          />
          <Typography.Text style={{ color: '#fff' }}>{t('nav.signedInAs', { name: me.name ?? me.username, role: t(`role.${me.role}`) })}</Typography.Text>
          <Button onClick={() => void signOut().then(() => navigate('/login'))}>{t('nav.signOut')}</Button>
        </Space>
      </Layout.Header>
      <Layout.Content id="main" tabIndex={-1} style={{ padding: narrow ? 12 : 24 }}>
        <main>
          <Suspense fallback={<Loading />}>{children}</Suspense>
        </main>
      </Layout.Content>
    </Layout>
  );
}
