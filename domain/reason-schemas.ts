import { z } from 'zod';
import { visibleText } from './text-schemas';

/** Why someone decided as they did: required text (a rejection, an extension). */
export const reason = visibleText(z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'), { lines: true });

/** Why, where saying so is optional: empty when not given. */
export const optionalReason = visibleText(z.string().trim().max(2000, 'must be at most 2000 characters'), { lines: true }).default('');
