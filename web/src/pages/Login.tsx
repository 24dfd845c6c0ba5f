import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useSession } from '../session';
import { ApiFailure } from '../api/client';
import { homeOf } from '../roles';
import { pageOfThisSite } from '../lib/next-page';
import { LangSelect } from '../components/LangSelect';

/**
 * Sign-in, in plain form elements: the first screen of the console, so it brings no component
 * library with it (README, "Web console", Speed).
 */
export function LoginPage() {
  const { t } = useTranslation();
  const { me, expired, signIn } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState<{ username?: boolean; password?: boolean }>({});
  const [busy, setBusy] = useState(false);
  // Only a page of this console: an address elsewhere is never followed.
  const back = pageOfThisSite(params.get('next'), window.location.origin);
  if (me && !busy) return <Navigate to={back ?? homeOf(me.role)} replace />;

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const gaps = { username: !username, password: !password };
    setMissing(gaps);
    if (gaps.username || gaps.password) return;
    setBusy(true);
    setError(null);
    try {
      const user = await signIn(username, password);
      navigate(back ?? homeOf(user.role), { replace: true });
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 429) setError(t('login.locked', { message: err.message, seconds: err.retryAfterSeconds ?? '?' }));
      else if (err instanceof ApiFailure && err.status === 401) setError(t('login.failed'));
      else if (err instanceof ApiFailure) setError(err.status === 0 ? t('common.networkError') : err.message);
      else setError(String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="lf-login">
      <div className="lf-login-card">
        <h1 className="lf-h1" style={{ fontSize: 22 }}>{t('app.title')}</h1>
        <h2 className="lf-h2">{t('login.title')}</h2>
        {expired && <div role="status" className="lf-alert lf-alert-warning">{t('login.expired')}</div>}
        {error && <div role="alert" className="lf-alert lf-alert-error">{error}</div>}
        <form onSubmit={onSubmit} noValidate>
          <div className="lf-field">
            <label htmlFor="login-username">{t('login.username')}</label>
            <input id="login-username" name="username" autoComplete="username" autoFocus aria-invalid={missing.username || undefined} aria-describedby={missing.username ? 'login-username-error' : undefined} />
            {missing.username && <div id="login-username-error" className="lf-field-error">{t('forms.required')}</div>}
          </div>
          <div className="lf-field">
            <label htmlFor="login-password">{t('login.password')}</label>
            <input id="login-password" name="password" type="password" autoComplete="current-password" aria-invalid={missing.password || undefined} aria-describedby={missing.password ? 'login-password-error' : undefined} />
            {missing.password && <div id="login-password-error" className="lf-field-error">{t('forms.required')}</div>}
          </div>
          <button type="submit" className="lf-button lf-button-primary lf-block" disabled={busy} aria-busy={busy}>{t('login.submit')}</button>
        </form>
        <div className="lf-row">
          <Link to="/register">{t('login.register')}</Link>
          <LangSelect />
        </div>
      </div>
    </main>
  );
}
