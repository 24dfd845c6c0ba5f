import { expect } from 'chai';
import fc from 'fast-check';
import {
  type CertificateFacts,
  type EligibilityInput,
  checkApprovedAmount,
  checkCertificate,
  checkEligibility,
} from '../../domain/eligibility';
import { defaultPolicyParams } from '../../domain/policy';
import { checkCharFor } from '../../domain/id-number';
import { Money, formatMoney } from '../../domain/money';
import { addDays, addMonthsClamped, fromEpochDay, toEpochDay } from '../../domain/dates';
import { targetGroups } from '../../domain/enums';

const policy = defaultPolicyParams;
const TODAY = '2027-03-07';
const DEMO_ID = '220102199003070013'; // born 1990-03-07: 37 today

function idBornOn(date: string): string {
  const first17 = `220102${date.replaceAll('-', '')}001`;
  return first17 + checkCharFor(first17);
}

const eligible: EligibilityInput = {
  idNumber: DEMO_ID,
  targetGroup: 'unemployed',
  requestedAmount: '80000.00',
  termMonths: 12,
  activeLoans: 0,
  lifetimeLoans: 0,
  unresolvedDefault: false,
};

const rules = (input: Partial<EligibilityInput>, today = TODAY) =>
  checkEligibility({ ...eligible, ...input }, policy, today).map((v) => `${v.path}:${v.rule}`);

const fenBetween = (min: string, max: string) =>
  fc
    .bigInt({ min: BigInt(new Money(min).times(100).toFixed()), max: BigInt(new Money(max).times(100).toFixed()) })
    .map((f) => formatMoney(new Money(f.toString()).dividedBy(100)));

describe('domain/eligibility', () => {
  describe('checkEligibility', () => {
    it('finds nothing wrong with an eligible applicant', () => {
      expect(checkEligibility(eligible, policy, TODAY)).to.deep.equal([]);
    });

    it('checks the target group', () => {
      expect(rules({ targetGroup: 'student' })).to.deep.equal(['targetGroup:target_group']);
      for (const g of targetGroups) expect(rules({ targetGroup: g })).to.deep.equal([]);
    });

    it('checks the age on the day, both ends inclusive', () => {
      expect(rules({ idNumber: idBornOn('2009-03-07') })).to.deep.equal([]); // 18 today
      expect(rules({ idNumber: idBornOn('2009-03-08') })).to.deep.equal(['idNumber:age']); // 17
      expect(rules({ idNumber: idBornOn('1966-03-08') })).to.deep.equal([]); // 60
      expect(rules({ idNumber: idBornOn('1966-03-07') })).to.deep.equal(['idNumber:age']); // 61 today
      const [v] = checkEligibility({ ...eligible, idNumber: idBornOn('1966-03-07') }, policy, TODAY);
      expect(v!.message).to.equal('applicant is 61 on 2027-03-07; the policy requires an age from 18 to 60');
    });

    it('follows the policy age limits', () => {
      const young = { ...eligible, idNumber: idBornOn('2011-01-01') };
      expect(checkEligibility(young, { ...policy, ageMin: 16 }, TODAY)).to.deep.equal([]);
    });

    it('reports an invalid ID number instead of an age', () => {
      expect(rules({ idNumber: '220102199003070014' })).to.deep.equal(['idNumber:id_number']);
      expect(rules({ idNumber: '11010519491231002x' }, '2000-01-01')).to.deep.equal([]); // 50, lowercase x
    });

    it('checks the requested amount against the guarantee band', () => {
      expect(rules({ requestedAmount: '50000.00' })).to.deep.equal([]);
      expect(rules({ requestedAmount: '100000' })).to.deep.equal([]);
      expect(rules({ requestedAmount: '49999.99' })).to.deep.equal(['requestedAmount:amount_band']);
      expect(rules({ requestedAmount: '100000.01' })).to.deep.equal(['requestedAmount:amount_band']);
      expect(rules({ requestedAmount: '8e4' })).to.deep.equal(['requestedAmount:money_format']);
      expect(checkEligibility({ ...eligible, requestedAmount: '1.00' }, policy, TODAY)[0]!.message).to.equal(
        'must be between 50000.00 and 100000.00',
      );
    });

    it('checks the term', () => {
      expect(rules({ termMonths: 6 })).to.deep.equal([]);
      expect(rules({ termMonths: 24 })).to.deep.equal([]);
      expect(rules({ termMonths: 5 })).to.deep.equal(['termMonths:term_range']);
      expect(rules({ termMonths: 25 })).to.deep.equal(['termMonths:term_range']);
      expect(rules({ termMonths: 12.5 })).to.deep.equal(['termMonths:term_range']);
    });

    it('checks loans per person and defaults', () => {
      expect(rules({ activeLoans: 1 })).to.deep.equal(['idNumber:active_loans']);
      expect(rules({ lifetimeLoans: 2 })).to.deep.equal([]);
      expect(rules({ lifetimeLoans: 3 })).to.deep.equal(['idNumber:lifetime_loans']);
      expect(rules({ unresolvedDefault: true })).to.deep.equal(['idNumber:unresolved_default']);
    });

    it('reports every problem at once', () => {
      expect(
        rules({ targetGroup: 'x', requestedAmount: '1.00', termMonths: 99, activeLoans: 1, lifetimeLoans: 3, unresolvedDefault: true }),
      ).to.deep.equal([
        'targetGroup:target_group',
        'requestedAmount:amount_band',
        'termMonths:term_range',
        'idNumber:active_loans',
        'idNumber:lifetime_loans',
        'idNumber:unresolved_default',
      ]);
    });

    it('refuses a malformed today as a programming error', () => {
      expect(() => checkEligibility(eligible, policy, '2027-02-30')).to.throw(RangeError);
    });

    it('finds any in-band, in-term request by an adult of working age eligible', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: toEpochDay('1966-03-08'), max: toEpochDay('2009-03-07') }).map(fromEpochDay),
          fc.constantFrom(...targetGroups),
          fenBetween(policy.guaranteeMin, policy.guaranteeMax),
          fc.integer({ min: policy.termMonthsMin, max: policy.termMonthsMax }),
          fc.integer({ min: 0, max: policy.maxLifetimeLoans - 1 }),
          (born, targetGroup, requestedAmount, termMonths, lifetimeLoans) => {
            const input = { ...eligible, idNumber: idBornOn(born), targetGroup, requestedAmount, termMonths, lifetimeLoans };
            expect(checkEligibility(input, policy, TODAY)).to.deep.equal([]);
          },
        ),
      );
    });

    it('gives exactly one amount violation for any out-of-band request', () => {
      fc.assert(
        fc.property(fc.oneof(fenBetween('0', '49999.99'), fenBetween('100000.01', '9999999999.99')), (requestedAmount) => {
          expect(rules({ requestedAmount })).to.deep.equal(['requestedAmount:amount_band']);
        }),
      );
    });
  });

  describe('checkCertificate', () => {
    const cert: CertificateFacts = { certificateNo: 'SYB-1', holderIdNumber: DEMO_ID, issuedOn: '2026-01-15', revoked: false };
    const ctx = { holderIdNumber: DEMO_ID, today: TODAY, maxAgeMonths: 24 };
    const certRules = (c: CertificateFacts | undefined, over: Partial<typeof ctx> = {}) =>
      checkCertificate(c, { ...ctx, ...over }).map((v) => v.rule);

    it('accepts a registered, valid, own, recent certificate', () => {
      expect(checkCertificate(cert, ctx)).to.deep.equal([]);
    });

    it('names each problem, on the certificateNo field', () => {
      expect(checkCertificate(undefined, ctx)).to.deep.equal([
        { path: 'certificateNo', rule: 'certificate_not_found', message: 'no certificate with this number is registered' },
      ]);
      expect(certRules({ ...cert, revoked: true })).to.deep.equal(['certificate_revoked']);
      expect(certRules({ ...cert, holderIdNumber: '11010519491231002X' })).to.deep.equal(['certificate_holder_mismatch']);
      expect(certRules({ ...cert, issuedOn: '2027-03-08' })).to.deep.equal(['certificate_issued_in_future']);
      expect(certRules({ ...cert, issuedOn: '2025-03-06' })).to.deep.equal(['certificate_too_old']);
      expect(certRules({ ...cert, revoked: true, holderIdNumber: '11010519491231002X' })).to.deep.equal([
        'certificate_revoked',
        'certificate_holder_mismatch',
      ]);
    });

    it('compares holders by the canonical ID number', () => {
      const x = '11010519491231002X';
      expect(certRules({ ...cert, holderIdNumber: x.toLowerCase() }, { holderIdNumber: x })).to.deep.equal([]);
    });

    it('is recent through the clamped anniversary and too old the day after', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: toEpochDay('2020-01-01'), max: toEpochDay('2030-12-31') }).map(fromEpochDay),
          fc.integer({ min: 0, max: 60 }),
          (issuedOn, maxAgeMonths) => {
            const lastGoodDay = addMonthsClamped(issuedOn, maxAgeMonths);
            expect(certRules({ ...cert, issuedOn }, { today: issuedOn, maxAgeMonths })).to.deep.equal([]);
            expect(certRules({ ...cert, issuedOn }, { today: lastGoodDay, maxAgeMonths })).to.deep.equal([]);
            expect(certRules({ ...cert, issuedOn }, { today: addDays(lastGoodDay, 1), maxAgeMonths })).to.deep.equal(['certificate_too_old']);
          },
        ),
      );
    });
  });

  describe('checkApprovedAmount', () => {
    const check = (amount: string, requested: string) => checkApprovedAmount(amount, requested, policy).map((v) => v.rule);

    it('allows the requested amount or less within the band', () => {
      expect(check('80000.00', '80000.00')).to.deep.equal([]);
      expect(check('50000.00', '80000.00')).to.deep.equal([]);
    });

    it('refuses more than requested, or outside the band, or malformed', () => {
      expect(check('80000.01', '80000.00')).to.deep.equal(['above_requested']);
      expect(check('49999.99', '80000.00')).to.deep.equal(['amount_band']);
      expect(check('100000.01', '100000.00')).to.deep.equal(['above_requested', 'amount_band']);
      expect(check('-1', '80000.00')).to.deep.equal(['money_format']);
      expect(checkApprovedAmount('90000.00', '80000.00', policy)[0]).to.deep.equal({
        path: 'amount',
        rule: 'above_requested',
        message: 'must not exceed the requested amount of 80000.00',
      });
    });

    it('accepts exactly the amounts in [guaranteeMin, min(requested, guaranteeMax)]', () => {
      fc.assert(
        fc.property(fenBetween('0', '200000'), fenBetween('50000', '100000'), (amount, requested) => {
          const a = new Money(amount);
          const ok = a.greaterThanOrEqualTo(policy.guaranteeMin) && a.lessThanOrEqualTo(requested) && a.lessThanOrEqualTo(policy.guaranteeMax);
          expect(checkApprovedAmount(amount, requested, policy).length === 0).to.equal(ok);
        }),
      );
    });
  });
});
