import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import 'dayjs/locale/zh-cn';

dayjs.extend(utc);
dayjs.extend(timezone);

/** Every date on screen is China time, whatever the browser's own zone. */
export const ZONE = 'Asia/Shanghai';

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).tz(ZONE).format('YYYY-MM-DD HH:mm') : '—';
}

/** A calendar date (YYYY-MM-DD) as sent by the API: shown as it is. */
export function formatDate(day: string | null | undefined): string {
  return day ?? '—';
}

/** Today in China, YYYY-MM-DD. */
export function todayInChina(): string {
  return dayjs().tz(ZONE).format('YYYY-MM-DD');
}

/** Milliseconds until an ISO instant (negative once it has passed). */
export function msUntil(iso: string, now = Date.now()): number {
  return Date.parse(iso) - now;
}

export { dayjs };
