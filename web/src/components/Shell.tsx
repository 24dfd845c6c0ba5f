import { Suspense, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useNavigate } from 'react-router-dom';
import { useSession } from '../session';
import { MENU, PATHS, canSearch } from '../roles';
import { Loading } from './States';
import { LangSelect } from './LangSelect';

/** The frame of every signed-in screen: the title, the role's menu, search, language and sign-out. */
export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { me, signOut } = useSession();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  if (!me) return null;
  const label = (k: string) => t(`nav.${me.role === 'applicant' && k === 'applications' ? 'myApplication' : me.role === 'applicant' && k === 'loans' ? 'myLoan' : k}`);
  const search = (e: FormEvent) => {
    e.preventDefault();
    const text = q.trim();
    navigate(text ? `/applications?q=${encodeURIComponent(text)}` : '/applications');
  };
  return (
    <div className="lf-layout">
      <a href="#main" className="lf-skip">{t('app.skip')}</a>
      <header className="lf-header">
        <div className="lf-topbar">
          <span className="lf-brand">{t('app.title')}</span>
          <div className="lf-tools">
            {canSearch(me.role) && (
              <form role="search" onSubmit={search} className="lf-search">
                <input type="search" aria-label={t('apps.search')} placeholder={t('apps.search')} value={q} onChange={(e) => setQ(e.target.value)} />
                <button type="submit" className="lf-button">{t('common.search')}</button>
              </form>
            )}
            <LangSelect dark />
            <span className="lf-who">{t('nav.signedInAs', { name: me.name ?? me.username, role: t(`role.${me.role}`) })}</span>
            <button type="button" className="lf-button" onClick={() => void signOut().then(() => navigate('/login'))}>{t('nav.signOut')}</button>
          </div>
        </div>
        <nav aria-label={t('nav.menu')} className="lf-nav">
          <ul>
            {(MENU[me.role] ?? []).map((k) => (
              <li key={k}><NavLink to={PATHS[k]}>{label(k)}</NavLink></li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} className="lf-main">
        <Suspense fallback={<Loading />}>{children}</Suspense>
      </main>
    </div>
  );
}
