import { expect } from 'chai';
import fc from 'fast-check';
import {
  addDays,
  addMonthsClamped,
  compareDates,
  compareQuarters,
  daysBetween,
  fromEpochDay,
  fullMonthsBetween,
  isIsoDate,
  nextQuarter,
  previousQuarter,
  quarterBounds,
  quarterOf,
  toEpochDay,
} from '../../domain/dates';
import { isoDateSchema, quarterSchema } from '../../domain/date-schemas';

/** Any real date from 1900 to 2199, built from an epoch day so every one is valid. */
const anyDate = fc.integer({ min: toEpochDay('1900-01-01'), max: toEpochDay('2199-12-31') }).map(fromEpochDay);

/** Reference arithmetic through UTC Date, to check the integer algorithm against. */
function viaUtc(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

describe('domain/dates', () => {
  describe('isoDateSchema', () => {
    it('accepts real dates only', () => {
      for (const s of ['2027-01-31', '2028-02-29', '2000-02-29', '1999-12-31']) {
        expect(isoDateSchema.safeParse(s).success, s).to.equal(true);
      }
      for (const s of ['2027-02-29', '1900-02-29', '2027-04-31', '2027-13-01', '2027-00-10', '2027-01-00']) {
        const r = isoDateSchema.safeParse(s);
        expect(r.success, s).to.equal(false);
        expect(r.error!.issues[0]!.message).to.equal('is not a real calendar date');
      }
    });

    it('refuses other shapes, saying which shape it wants', () => {
      for (const s of ['2027-1-31', '20270131', '2027-01-31T00:00:00Z', ' 2027-01-31', '']) {
        const r = isoDateSchema.safeParse(s);
        expect(r.success, s).to.equal(false);
        expect(r.error!.issues).to.have.length(1);
        expect(r.error!.issues[0]!.message).to.contain('YYYY-MM-DD');
      }
      expect(isIsoDate(20270131)).to.equal(false);
    });

    it('refuses real dates outside the years the business can mean (PostgreSQL has no year 0)', () => {
      for (const s of ['1900-01-01', '2999-12-31']) expect(isoDateSchema.safeParse(s).success, s).to.equal(true);
      for (const s of ['0000-01-01', '0001-01-01', '1899-12-31', '3000-01-01', '9999-12-31']) {
        const r = isoDateSchema.safeParse(s);
        expect(r.success, s).to.equal(false);
        expect(r.error!.issues.map((i) => i.message)).to.deep.equal(['must be between 1900-01-01 and 2999-12-31']);
      }
    });
  });

  describe('day arithmetic', () => {
    it('agrees with UTC Date arithmetic', () => {
      fc.assert(
        fc.property(anyDate, fc.integer({ min: -5000, max: 5000 }), (d, n) => {
          expect(addDays(d, n)).to.equal(viaUtc(d, n));
          expect(daysBetween(d, addDays(d, n))).to.equal(n);
        }),
      );
    });

    it('round-trips epoch days', () => {
      expect(toEpochDay('1970-01-01')).to.equal(0);
      expect(toEpochDay('2000-03-01')).to.equal(11017);
      fc.assert(
        fc.property(anyDate, (d) => {
          expect(fromEpochDay(toEpochDay(d))).to.equal(d);
        }),
      );
    });

    it('counts actual days across leap days and year ends', () => {
      expect(daysBetween('2028-02-28', '2028-03-01')).to.equal(2);
      expect(daysBetween('2027-02-28', '2027-03-01')).to.equal(1);
      expect(daysBetween('2027-12-31', '2028-01-31')).to.equal(31);
      expect(daysBetween('2027-03-01', '2027-02-28')).to.equal(-1);
    });

    it('compares', () => {
      expect(compareDates('2027-01-31', '2027-02-01')).to.equal(-1);
      expect(compareDates('2027-02-01', '2027-02-01')).to.equal(0);
      expect(compareDates('2028-01-01', '2027-12-31')).to.equal(1);
    });
  });

  describe('addMonthsClamped', () => {
    it('clamps to the month end, counting from the start each time', () => {
      expect(addMonthsClamped('2027-01-31', 1)).to.equal('2027-02-28');
      expect(addMonthsClamped('2027-01-31', 2)).to.equal('2027-03-31');
      expect(addMonthsClamped('2027-01-31', 3)).to.equal('2027-04-30');
      expect(addMonthsClamped('2028-01-31', 1)).to.equal('2028-02-29');
      expect(addMonthsClamped('2028-02-29', 12)).to.equal('2029-02-28');
      expect(addMonthsClamped('2028-02-29', 13)).to.equal('2029-03-29');
      expect(addMonthsClamped('2026-08-31', 1)).to.equal('2026-09-30');
      expect(addMonthsClamped('2027-11-15', 2)).to.equal('2028-01-15');
      expect(addMonthsClamped('2027-03-31', -1)).to.equal('2027-02-28');
      expect(addMonthsClamped('2027-03-31', 0)).to.equal('2027-03-31');
    });

    it('keeps the day when it exists, else lands on the last day of the month', () => {
      fc.assert(
        fc.property(anyDate, fc.integer({ min: -600, max: 600 }), (d, n) => {
          const r = addMonthsClamped(d, n);
          const day = Number(d.slice(8));
          const rDay = Number(r.slice(8));
          if (rDay !== day) {
            expect(rDay).to.be.lessThan(day);
            expect(addDays(r, 1).slice(8)).to.equal('01');
          }
          const months = (Number(r.slice(0, 4)) - Number(d.slice(0, 4))) * 12 + Number(r.slice(5, 7)) - Number(d.slice(5, 7));
          expect(months).to.equal(n);
        }),
      );
    });

    it('gives strictly increasing dates for increasing n', () => {
      fc.assert(
        fc.property(anyDate, fc.integer({ min: 0, max: 120 }), (d, n) => {
          expect(compareDates(addMonthsClamped(d, n), addMonthsClamped(d, n + 1))).to.equal(-1);
        }),
      );
    });
  });

  describe('fullMonthsBetween', () => {
    it('counts whole months the way due dates do', () => {
      expect(fullMonthsBetween('2027-01-31', '2027-02-27')).to.equal(0);
      expect(fullMonthsBetween('2027-01-31', '2027-02-28')).to.equal(1);
      expect(fullMonthsBetween('2025-06-15', '2027-06-14')).to.equal(23);
      expect(fullMonthsBetween('2025-06-15', '2027-06-15')).to.equal(24);
      expect(fullMonthsBetween('2027-06-15', '2025-06-15')).to.equal(-24);
    });

    it('is the largest n with addMonthsClamped(a, n) <= b', () => {
      fc.assert(
        fc.property(anyDate, fc.integer({ min: 0, max: 2000 }), (a, days) => {
          const b = addDays(a, days);
          const n = fullMonthsBetween(a, b);
          expect(compareDates(addMonthsClamped(a, n), b)).to.be.at.most(0);
          expect(compareDates(addMonthsClamped(a, n + 1), b)).to.equal(1);
        }),
      );
    });
  });

  describe('quarters', () => {
    it('names the quarter of a date', () => {
      expect(quarterOf('2027-01-01')).to.equal('2027Q1');
      expect(quarterOf('2027-03-31')).to.equal('2027Q1');
      expect(quarterOf('2027-04-01')).to.equal('2027Q2');
      expect(quarterOf('2027-12-31')).to.equal('2027Q4');
    });

    it('knows inclusive bounds and neighbours', () => {
      expect(quarterBounds('2028Q1')).to.deep.equal({ start: '2028-01-01', end: '2028-03-31' });
      expect(quarterBounds('2027Q2')).to.deep.equal({ start: '2027-04-01', end: '2027-06-30' });
      expect(quarterBounds('2027Q3')).to.deep.equal({ start: '2027-07-01', end: '2027-09-30' });
      expect(quarterBounds('2027Q4')).to.deep.equal({ start: '2027-10-01', end: '2027-12-31' });
      expect(nextQuarter('2027Q4')).to.equal('2028Q1');
      expect(nextQuarter('2027Q1')).to.equal('2027Q2');
      expect(previousQuarter('2028Q1')).to.equal('2027Q4');
      expect(compareQuarters('2027Q4', '2028Q1')).to.equal(-1);
    });

    it('puts every date inside its own quarter', () => {
      fc.assert(
        fc.property(anyDate, (d) => {
          const { start, end } = quarterBounds(quarterOf(d));
          expect(compareDates(start, d)).to.be.at.most(0);
          expect(compareDates(d, end)).to.be.at.most(0);
          expect(addDays(end, 1)).to.equal(quarterBounds(nextQuarter(quarterOf(d))).start);
        }),
      );
    });

    it('validates the quarter format', () => {
      expect(quarterSchema.safeParse('2027Q1').success).to.equal(true);
      for (const s of ['2027Q5', '2027Q0', '2027q1', '2027-Q1', '27Q1', '0000Q1', '1899Q4', '3000Q1']) {
        expect(quarterSchema.safeParse(s).success, s).to.equal(false);
      }
    });
  });
});
