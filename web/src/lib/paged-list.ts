import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useUrlState } from './url-state';

/**
 * A list whose filters and page live in the address (useUrlState), fetched again whenever they
 * change: `fetch` gets the filters and the page.
 */
export function usePagedList<K extends string, T>(
  name: string,
  keys: readonly K[],
  fetch: (values: Record<K, string | undefined>, page: { page: number; pageSize: number }) => Promise<T>,
) {
  const url = useUrlState(keys);
  const { values, page, pageSize } = url;
  const q = useQuery({ queryKey: [name, values, page, pageSize], queryFn: () => fetch(values, { page, pageSize }) });
  return { ...url, q };
}

/**
 * A table's page kept by its component, for a list that shares its screen with others (each fund's
 * top-ups, a statement's mismatches), whose pages the address cannot all hold. `pagination` is the
 * Ant Design table's, showing the total.
 */
export function useLocalPage(showTotal: (n: number) => string) {
  const [{ page, pageSize }, setPage] = useState({ page: 1, pageSize: 20 });
  const pagination = (total: number) => ({
    current: page, pageSize, total, hideOnSinglePage: true, showTotal,
    onChange: (p: number, s: number) => setPage({ page: s === pageSize ? p : 1, pageSize: s }),
  });
  return { page, pageSize, pagination };
}
