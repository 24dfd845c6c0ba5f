import { expect } from 'chai';
import fc from 'fast-check';
import { followUpSchedule, isOverdue, isUscc, oneYearAfter, usccCheckChar, visitRefusal } from '../../domain/follow-up';
import { followUpVisitSchema } from '../../domain/follow-up-schemas';
import { defaultPolicyParams, policyParamsSchema } from '../../domain/policy';
import { addDays, addMonthsClamped, compareDates } from '../../domain/dates';

const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const code17 = fc
  .tuple(
    fc.array(fc.constantFrom(...CHARS), { minLength: 2, maxLength: 2 }),
    fc.array(fc.constantFrom(...'0123456789'), { minLength: 6, maxLength: 6 }),
    fc.array(fc.constantFrom(...CHARS), { minLength: 9, maxLength: 9 }),
  )
  .map(([a, b, c]) => [...a, ...b, ...c].join(''));
const day = fc.integer({ min: 0, max: 365 * 60 }).map((n) => addDays('2000-01-01', n));

describe('domain/follow-up', () => {
  describe('the unified social credit code', () => {
    it('accepts published codes and refuses them with one character changed', () => {
      expect(isUscc('91350100M000100Y43')).to.equal(true);
      expect(isUscc('91110000600037341L')).to.equal(true);
      expect(isUscc('91350100M000100Y44')).to.equal(false);
      expect(isUscc('91350100M000100Y4')).to.equal(false);
      expect(isUscc('91350100M00010OY43')).to.equal(false); // the letter O is not used
    });

    it('a code with its check character passes; any single substitution fails', () => {
      fc.assert(
        fc.property(code17, fc.nat(17), fc.constantFrom(...CHARS), (c, at, ch) => {
          const full = c + usccCheckChar(c);
          expect(isUscc(full)).to.equal(true);
          const changed = full.slice(0, at) + ch + full.slice(at + 1);
          // Positions 3–8 are digits: a letter there fails the shape, a digit the check.
          expect(isUscc(changed)).to.equal(changed === full);
        }),
      );
    });
  });

  describe('the schedule', () => {
    it('is due the policy months after disbursal (clamped to the month end), overdue after the days', () => {
      fc.assert(
        fc.property(day, fc.uniqueArray(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 24 }), fc.integer({ min: 0, max: 365 }), (on, months, days) => {
          const s = followUpSchedule(on, { followUpMonths: months, followUpVisitDays: days });
          expect(s.map((v) => v.months)).to.deep.equal([...months].sort((a, b) => a - b));
          for (const v of s) {
            expect(v.dueOn).to.equal(addMonthsClamped(on, v.months));
            expect(isOverdue(v, addDays(v.dueOn, days))).to.equal(false);
            expect(isOverdue(v, addDays(v.dueOn, days + 1))).to.equal(true);
          }
        }),
      );
      expect(followUpSchedule('2027-01-31', defaultPolicyParams).map((v) => v.dueOn)).to.deep.equal(['2027-04-30', '2027-07-31', '2028-01-31']);
      expect(oneYearAfter('2028-02-29')).to.equal('2029-02-28');
    });

    it('the policy holds the months and days, with defaults for versions stored before them', () => {
      const { followUpMonths: _m, followUpVisitDays: _d, ...before } = defaultPolicyParams;
      const parsed = policyParamsSchema.parse(before);
      expect([parsed.followUpMonths, parsed.followUpVisitDays]).to.deep.equal([[3, 6, 12], 30]);
      const bad = policyParamsSchema.safeParse({ ...defaultPolicyParams, followUpMonths: [6, 3] });
      expect(bad.success).to.equal(false);
      expect(bad.error!.issues.map((i) => i.path.join('.'))).to.deep.equal(['followUpMonths']);
      expect(policyParamsSchema.safeParse({ ...defaultPolicyParams, followUpMonths: [] }).success).to.equal(false);
      expect(policyParamsSchema.safeParse({ ...defaultPolicyParams, followUpMonths: [0] }).success).to.equal(false);
    });
  });

  describe('a visit', () => {
    const schedule = followUpSchedule('2027-01-15', defaultPolicyParams);
    const ok = { months: 3, visitedOn: '2027-04-20', operatingStatus: 'operating', employees: 3, businessRegistrationNo: '91350100M000100Y43', note: 'busy' };

    it('names each bad field', () => {
      const paths = (b: unknown) => (followUpVisitSchema.safeParse(b).error?.issues ?? []).map((i) => i.path.join('.'));
      expect(paths(ok)).to.deep.equal([]);
      expect(followUpVisitSchema.parse({ ...ok, businessRegistrationNo: ' 91350100m000100y43 ' }).businessRegistrationNo).to.equal('91350100M000100Y43');
      expect(followUpVisitSchema.parse({ months: 3, visitedOn: '2027-04-20', operatingStatus: 'closed', employees: 0 })).to.include({ businessRegistrationNo: null, note: '' });
      expect(paths({ ...ok, employees: 0 })).to.deep.equal(['employees']);
      expect(paths({ ...ok, employees: 1.5 })).to.deep.equal(['employees']);
      expect(paths({ ...ok, operatingStatus: 'thriving' })).to.deep.equal(['operatingStatus']);
      expect(paths({ ...ok, businessRegistrationNo: '91350100M000100Y44' })).to.deep.equal(['businessRegistrationNo']);
      expect(paths({ ...ok, visitedOn: '2027-02-30' })).to.deep.equal(['visitedOn']);
      expect(paths({ ...ok, extra: 1 })).to.deep.equal(['']);
    });

    it('is refused when not scheduled, already recorded, not yet due, dated before its due date or in the future', () => {
      const none = new Set<number>();
      expect(visitRefusal(schedule, none, ok, '2027-04-20')).to.equal(null);
      expect(visitRefusal(schedule, none, { ...ok, months: 4 }, '2027-04-20')).to.include({ kind: 'validation', path: 'months' });
      expect(visitRefusal(schedule, new Set([3]), ok, '2027-04-20')).to.include({ kind: 'conflict', path: 'months' });
      expect(visitRefusal(schedule, none, { ...ok, visitedOn: '2027-04-14' }, '2027-04-14')).to.include({ kind: 'validation', path: 'months' });
      expect(visitRefusal(schedule, none, { ...ok, visitedOn: '2027-04-14' }, '2027-04-20')).to.include({ kind: 'validation', path: 'visitedOn' });
      expect(visitRefusal(schedule, none, { ...ok, visitedOn: '2027-04-21' }, '2027-04-20')).to.include({ kind: 'validation', path: 'visitedOn' });
      expect(compareDates(schedule[0]!.dueOn, '2027-04-15')).to.equal(0);
    });
  });
});
