import { z } from 'zod';
import { isoDateSchema } from './date-schemas';
import { MAX_EMPLOYEES, OPERATING_STATUSES, isUscc, type FollowUpVisitBody } from './follow-up';
import { visibleText } from './text-schemas';

/*
 * The follow-up visit's body as the API validates it. Apart from domain/follow-up.ts, which the
 * follow-up workflow imports: the workflow bundle carries no zod (test/workflows/bundle.test.ts).
 */

const note = visibleText(z.string().trim().max(2000, 'must be at most 2000 characters'), { lines: true }).default('');

/** What an officer records of a visit. */
export const followUpVisitSchema = z
  .object({
    months: z
      .number({ error: 'must be a whole number of months' })
      .int('must be a whole number of months')
      .min(1, 'must be at least 1')
      .max(600, 'must be at most 600')
      .meta({ description: "which visit: its months after disbursal, one of the loan's scheduled visits" }),
    visitedOn: isoDateSchema.meta({ description: 'the day of the visit: on or after its due date, not in the future' }),
    operatingStatus: z.enum(OPERATING_STATUSES, { error: `must be one of ${OPERATING_STATUSES.join(', ')}` }),
    employees: z
      .number({ error: 'must be a whole number of people' })
      .int('must be a whole number of people')
      .min(0, 'must be 0 or more')
      .max(MAX_EMPLOYEES, `must be at most ${MAX_EMPLOYEES}`)
      .meta({ description: 'people working in the business, the owner included; at least 1 while it operates' }),
    businessRegistrationNo: z
      .string()
      .trim()
      .toUpperCase()
      .refine(isUscc, { message: 'must be an 18-character unified social credit code with a valid check character' })
      .nullable()
      .default(null)
      .meta({ description: 'the unified social credit code (统一社会信用代码) if the business is registered; null if not' }),
    note,
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.operatingStatus === 'operating' && v.employees < 1) {
      ctx.addIssue({ code: 'custom', path: ['employees'], message: 'must be at least 1 while the business operates (the owner counts)' });
    }
  })
  .meta({ id: 'FollowUpVisit' });
// The schema's output is the body the workflow and the use cases take, field for field.
const sameShape: z.ZodType<FollowUpVisitBody, z.input<typeof followUpVisitSchema>> = followUpVisitSchema;
void sameShape;
