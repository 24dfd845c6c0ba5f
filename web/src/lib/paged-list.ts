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
