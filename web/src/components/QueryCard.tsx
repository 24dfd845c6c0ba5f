import type { ReactNode } from 'react';
import { PageCard } from './PageCard';
import { QueryView } from './States';

// Apart from States.tsx: PageCard is Ant Design's, and the first screens (States' users) load none.
/** A card whose whole body is a query's result, as QueryView shows it. */
export function QueryCard<T>({
  title,
  level,
  children,
  ...view
}: {
  title: ReactNode;
  level?: 1 | 2;
  q: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  empty?: (d: T) => boolean;
  emptyText?: string;
  children: (d: T) => ReactNode;
}) {
  return (
    <PageCard title={title} level={level}>
      <QueryView<T> {...view}>{children}</QueryView>
    </PageCard>
  );
}
