import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * A list's filters and page live in the address, so a link, a reload or the back button shows the
 * same page; changing a filter goes back to page 1.
 */
export function useUrlState<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? undefined])) as Record<K, string | undefined>;
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const pageSize = Math.min(200, Math.max(1, Number(params.get('pageSize') ?? '20') || 20));
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
