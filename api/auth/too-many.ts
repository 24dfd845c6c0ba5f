import { ApiError } from '../errors';

/**
 * The 429 every rate limit answers with: Retry-After in seconds, and a message in words the web
 * console can show as they are, `too many <what>; try again in N minutes`.
 */
export function tooMany(what: string, msBeforeNext: number): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  const err = new ApiError('TOO_MANY_REQUESTS', `too many ${what}; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`);
  err.headers = { 'Retry-After': String(seconds) };
  return err;
}
