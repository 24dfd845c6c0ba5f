import { expect } from 'chai';
import fc from 'fast-check';
import { ageOn, birthDateOf, checkCharFor, isValidIdNumber } from '../../domain/id-number';
import { idNumberSchema } from '../../domain/id-number-schema';
import { addDays, fromEpochDay, toEpochDay } from '../../domain/dates';

/** A valid number built the way the standard says: region, birth date, sequence, check. */
const validIdNumber = fc
  .record({
    region: fc.integer({ min: 110000, max: 659999 }),
    birthDay: fc.integer({ min: toEpochDay('1930-01-01'), max: toEpochDay('2020-12-31') }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ region, birthDay, seq }) => {
    const first17 = `${region}${fromEpochDay(birthDay).replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
    return first17 + checkCharFor(first17);
  });

function messages(x: unknown): string[] {
  const r = idNumberSchema.safeParse(x);
  return r.success ? [] : r.error.issues.map((i) => i.message);
}

describe('domain/id-number', () => {
  it('accepts the demo applicant and the standard example numbers', () => {
    expect(isValidIdNumber('220102199003070013')).to.equal(true);
    expect(isValidIdNumber('11010519491231002X')).to.equal(true);
  });

  it('refuses a birth year before 1900 as a typo, even with a right check digit', () => {
    const first17 = '44052418800101001';
    expect(messages(first17 + checkCharFor(first17))).to.deep.equal(['birth date 1880-01-01 is before 1900']);
  });

  it('accepts a lowercase x and hands back the uppercase form', () => {
    expect(isValidIdNumber('11010519491231002x')).to.equal(true);
    expect(idNumberSchema.parse('11010519491231002x')).to.equal('11010519491231002X');
  });

  it('says the check digit is wrong', () => {
    expect(messages('220102199003070014')).to.deep.equal(['check digit is wrong']);
    expect(messages('110105194912310021')).to.deep.equal(['check digit is wrong']);
  });

  it('says the birth date is not a real date', () => {
    const first17 = '22010219900230001';
    expect(messages(first17 + checkCharFor(first17))).to.deep.equal(['birth date 1990-02-30 is not a real date']);
    const leap = '22010220000229001';
    expect(messages(leap + checkCharFor(leap))).to.deep.equal([]);
    const notLeap = '22010219000229001';
    expect(messages(notLeap + checkCharFor(notLeap))).to.deep.equal(['birth date 1900-02-29 is not a real date']);
  });

  it('says what shape it wants', () => {
    for (const s of ['22010219900307001', '2201021990030700133', '22010219900307001A', 'X20102199003070013', '']) {
      expect(messages(s), s).to.deep.equal(['must be 18 characters: 17 digits then a digit or X']);
    }
    expect(messages(220102199003070013)).to.have.length(1);
  });

  it('accepts every well-formed number and refuses every single-character change', () => {
    fc.assert(
      fc.property(validIdNumber, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 9 }), (id, pos, delta) => {
        expect(isValidIdNumber(id)).to.equal(true);
        // MOD 11-2 catches every single substitution: changing one digit must fail.
        const ch = id[pos]!;
        const value = ch === 'X' ? 10 : Number(ch);
        const changed = pos === 17 ? '0123456789X'[(value + delta) % 11]! : String((value + delta) % 10);
        const mutated = id.slice(0, pos) + changed + id.slice(pos + 1);
        expect(isValidIdNumber(mutated), mutated).to.equal(false);
      }),
    );
  });

  it('reads the birth date', () => {
    expect(birthDateOf('220102199003070013')).to.equal('1990-03-07');
    expect(birthDateOf('11010519491231002x')).to.equal('1949-12-31');
    expect(() => birthDateOf('220102199003070014')).to.throw(RangeError, /check digit/);
  });

  it('counts full years, turning older on the birthday', () => {
    const id = '220102199003070013';
    expect(ageOn(id, '2027-03-06')).to.equal(36);
    expect(ageOn(id, '2027-03-07')).to.equal(37);
    expect(ageOn(id, '1990-03-07')).to.equal(0);
    expect(ageOn(id, '1990-03-06')).to.equal(-1);
  });

  it('makes a 29 February birthday count on 1 March in common years', () => {
    const first17 = '22010220000229001';
    const id = first17 + checkCharFor(first17);
    expect(ageOn(id, '2018-02-28')).to.equal(17);
    expect(ageOn(id, '2018-03-01')).to.equal(18);
    expect(ageOn(id, '2020-02-29')).to.equal(20);
  });

  it('grows by exactly one on each birthday and never between', () => {
    fc.assert(
      fc.property(validIdNumber, fc.integer({ min: 0, max: 30000 }), (id, days) => {
        const day = addDays(birthDateOf(id), days);
        const next = addDays(day, 1);
        const step = ageOn(id, next) - ageOn(id, day);
        expect(step).to.be.oneOf([0, 1]);
        expect(ageOn(id, day)).to.be.at.least(0);
      }),
    );
  });
});
