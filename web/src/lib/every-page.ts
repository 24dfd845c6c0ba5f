/**
 * Every row of a paged list, fetched a page of the largest size at a time: for reference lists the
 * console needs whole (organisations' names and choices, the policy versions a form compares with).
 * The API pages every list so that no single answer grows without bound.
 */
export async function everyPage<T>(fetch: (page: { page: number; pageSize: number }) => Promise<{ items: T[]; total: number }>): Promise<T[]> {
  const pageSize = 200;
  const all: T[] = [];
  for (let page = 1; ; page++) {
    const { items, total } = await fetch({ page, pageSize });
    all.push(...items);
    if (items.length < pageSize || all.length >= total) return all;
  }
}
