import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { short } from './url-state';
import { everyPage } from './every-page';

/** Every organisation (any signed-in user may list them), cached: names for the ids views carry. */
export function useOrganisations() {
  const q = useQuery({ queryKey: ['organisations'], queryFn: () => everyPage((p) => ok(api.GET('/v1/organisations', { params: { query: p } }))), staleTime: 300_000 });
  const all = q.data ?? [];
  return {
    q,
    all,
    ofType: (type: string) => all.filter((o) => o.type === type),
    name: (id: string | null | undefined) => (id ? (all.find((o) => o.id === id)?.name ?? short(id)) : '—'),
  };
}
