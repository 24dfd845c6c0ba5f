import { z } from 'zod';

/** Why someone decided as they did: required text (a rejection, an extension). */
export const reason = z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters');

/** Why, where saying so is optional: empty when not given. */
export const optionalReason = z.string().trim().max(2000, 'must be at most 2000 characters').default('');
