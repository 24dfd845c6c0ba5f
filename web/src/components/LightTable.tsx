import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface Column<T> {
  key: string;
  title: ReactNode;
  render: (row: T) => ReactNode;
  align?: 'right';
}

/**
 * A plain, semantic table with a previous/next pager: for the screens of the first load (my tasks),
 * where Ant Design's Table and its filters, tree and pagination would double the JavaScript to
 * download (README, "Web console", Speed). Other screens use Ant Design's Table.
 */
export function LightTable<T>({
  rows,
  columns,
  rowKey,
  rowClassName,
  caption,
  page,
  pageSize,
  total,
  onPage,
}: {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  rowClassName?: (row: T) => string;
  caption: string;
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
}) {
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <div>
      <div className="lf-table-wrap" tabIndex={0} role="region" aria-label={caption}>
        <table className="lf-table">
          <caption className="lf-sr-only">{caption}</caption>
          <thead>
            <tr>{columns.map((c) => <th key={c.key} scope="col" style={{ textAlign: c.align ?? 'left' }}>{c.title}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={rowKey(r)} className={rowClassName?.(r)}>
                {columns.map((c) => <td key={c.key} style={{ textAlign: c.align ?? 'left' }}>{c.render(r)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="lf-pager" aria-label={t('common.pages')}>
        <span>{t('common.total', { count: total })}</span>
        <button type="button" className="lf-button" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t('common.previous')}</button>
        <span aria-current="page">{t('common.pageOf', { page, pages })}</span>
        <button type="button" className="lf-button" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t('common.next')}</button>
      </nav>
    </div>
  );
}
