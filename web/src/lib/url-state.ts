import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/** A list's page and page size as the address gives them (page 1 and 20 by default). */
export function pageOf(params: URLSearchParams): { page: number; pageSize: number } {
  return {
    page: Math.max(1, Number(params.get('page') ?? '1') || 1),
    pageSize: Math.min(200, Math.max(1, Number(params.get('pageSize') ?? '20') || 20)),
  };
}

/**
 * A list's filters and page live in the address, so a link, a reload or the back button shows the
 * same page; changing a filter goes back to page 1.
 */
export function useUrlState<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? undefined])) as Record<K, string | undefined>;
  const { page, pageSize } = pageOf(params);
  const set = useCallback(
    (changes: Partial<Record<K | 'page' | 'pageSize', string | number | undefined>>) => {
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        if (!('page' in changes)) next.delete('page');
        for (const [k, v] of Object.entries(changes)) {
          if (v === undefined || v === '') next.delete(k);
          else next.set(k, String(v));
        }
        return next;
      });
    },
    [setParams],
  );
  return { values, page, pageSize, set };
}

export function short(id: string): string {
  return id.slice(0, 8).toUpperCase();
}
