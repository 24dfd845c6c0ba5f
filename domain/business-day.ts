/**
 * Loans, deadlines and back-dating windows count in the business's own calendar: China
 * Standard Time, UTC+8 all year (no daylight saving), whatever the server's timezone.
 */
const OFFSET_MS = 8 * 3600 * 1000;

/** The 'YYYY-MM-DD' business date of an instant. */
export function businessDateOf(instant: Date | number): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
}

/** The business's wall-clock time of an instant, 'YYYY-MM-DD HH:mm' (China Standard Time). */
export function businessTimeOf(instant: Date | number): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
