import { useCallback, useRef } from 'react';

function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; an intranet console on plain http may not be one.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * One Idempotency-Key per form submission: the same key for a double click or a retry of the same
 * values (so the server decides once), a new one once the submission succeeded or the values changed.
 */
export function useSubmissionKey(): { keyFor(values: unknown): string; done(): void } {
  const current = useRef<{ key: string; values: string } | null>(null);
  const keyFor = useCallback((values: unknown) => {
    const text = JSON.stringify(values);
    if (!current.current || current.current.values !== text) current.current = { key: uuid(), values: text };
    return current.current.key;
  }, []);
  const done = useCallback(() => {
    current.current = null;
  }, []);
  return { keyFor, done };
}
