// China time by the server's own rule (domain/business-day.ts: UTC+8 all year, no daylight saving),
// bundled: every time on screen is China time, whatever the browser's zone, with no time-zone library.
import { businessDateOf, businessTimeOf } from '../../../domain/business-day';

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : businessTimeOf(ms);
}

/** A calendar date (YYYY-MM-DD) as sent by the API: shown as it is. */
export function formatDate(day: string | null | undefined): string {
  return day ?? '—';
}

/** Today in China, YYYY-MM-DD. */
export function todayInChina(): string {
  return businessDateOf(Date.now());
}

/** The quarter before the one `day` (YYYY-MM-DD) is in, as 2027Q1. */
export function quarterBefore(day: string): string {
  const year = Number(day.slice(0, 4));
  const q = Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1;
  return q === 1 ? `${year - 1}Q4` : `${year}Q${q - 1}`;
}

/** Milliseconds until an ISO instant (negative once it has passed). */
export function msUntil(iso: string, now = Date.now()): number {
  return Date.parse(iso) - now;
}
