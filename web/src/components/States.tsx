import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiFailure } from '../api/client';

/**
 * The three states every screen has besides its content: loading, failed, and nothing to show.
 * Plain elements, not Ant Design's: they show on the first load, before Ant Design is fetched.
 */
export function Loading() {
  const { t } = useTranslation();
  return (
    <div role="status" aria-live="polite" className="lf-loading">
      <span className="lf-spinner" aria-hidden="true" />
      <div>{t('common.loading')}</div>
    </div>
  );
}

export function Failed({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useTranslation();
  const message = error instanceof ApiFailure ? (error.status === 0 ? t('common.networkError') : error.message) : String(error);
  return (
    <div role="alert" className="lf-alert lf-alert-error">
      <div>
        <strong>{t('common.error')}</strong>
        <div>{message}</div>
      </div>
      {retry && <button type="button" className="lf-button" onClick={retry}>{t('common.retry')}</button>}
    </div>
  );
}

export function Nothing({ text }: { text?: string }) {
  const { t } = useTranslation();
  return <p className="lf-empty">{text ?? t('common.empty')}</p>;
}

/** Renders a TanStack query's states, then `children` with its data. */
export function QueryView<T>({
  q,
  empty,
  emptyText,
  children,
}: {
  q: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  empty?: (d: T) => boolean;
  emptyText?: string;
  children: (d: T) => ReactNode;
}) {
  if (q.isPending) return <Loading />;
  if (q.isError) return <Failed error={q.error} retry={() => void q.refetch()} />;
  if (empty?.(q.data as T)) return <Nothing text={emptyText} />;
  return <>{children(q.data as T)}</>;
}
