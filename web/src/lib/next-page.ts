/**
 * Where the sign-in page may return to (its `next`): a page of this site, as a path, else null. The
 * test is the browser's own: `next` read as a URL against `origin` must stay on `origin`. A
 * backslash is refused outright: the URL parser reads it as a slash, so `/\evil.example` is
 * another site, and no page of the console has one.
 */
export function pageOfThisSite(next: string | null, origin: string): string | null {
  if (!next || next.includes('\\')) return null;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return null;
  }
  // `/.//evil.example` stays on this origin as a URL, but its path `//evil.example` would leave it
  // when navigated to; no page of the console starts with an empty segment.
  if (url.origin !== origin || url.pathname.startsWith('//')) return null;
  return url.pathname + url.search + url.hash;
}
