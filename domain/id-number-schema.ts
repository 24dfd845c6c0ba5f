/** The resident ID number as the API accepts it; apart from id-number.ts so workflows do not bundle zod. */
import { z } from 'zod';
import { idNumberProblem } from './id-number';

/** Accepts a lowercase x and hands back the canonical uppercase number. */
export const idNumberSchema = z
  .string({ error: 'must be an 18-character resident ID number' })
  .toUpperCase()
  .superRefine((id, ctx) => {
    const problem = idNumberProblem(id);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
