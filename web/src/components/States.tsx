import type { ReactNode } from 'react';
import { Alert, Button, Empty, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiFailure } from '../api/client';

/** The three states every screen has besides its content: loading, failed, and nothing to show. */
export function Loading() {
  const { t } = useTranslation();
  return (
    <div role="status" aria-live="polite" style={{ padding: 48, textAlign: 'center' }}>
      <Spin />
      <div style={{ marginTop: 8 }}>{t('common.loading')}</div>
    </div>
  );
}

export function Failed({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useTranslation();
  const message = error instanceof ApiFailure ? (error.status === 0 ? t('common.networkError') : error.message) : String(error);
  return (
    <Alert
      type="error"
      showIcon
      title={t('common.error')}
      description={message}
      action={retry ? <Button onClick={retry}>{t('common.retry')}</Button> : undefined}
    />
  );
}

export function Nothing({ text }: { text?: string }) {
  const { t } = useTranslation();
  return <Empty description={text ?? t('common.empty')} />;
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
