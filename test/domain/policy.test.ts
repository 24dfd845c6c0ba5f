import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { defaultPolicyParams, policyInForce, policyParamsSchema } from '../../domain/policy';
import { addDays } from '../../domain/dates';

function problems(params: unknown): [string, string][] {
  const r = policyParamsSchema.safeParse(params);
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
}

describe('domain/policy', () => {
  describe('policyParamsSchema', () => {
    it('holds exactly the defaults docs/domain.md §3.5 states, and keeps them as they are', () => {
      const doc = fs.readFileSync(path.join(__dirname, '../../docs/domain.md'), 'utf8');
      const table = doc.slice(doc.indexOf('### 3.5'), doc.indexOf('## 4.'));
      // Each row: | `name`, `name` | value, value | meaning |; loss sharing states its three parts.
      const stated = new Map<string, string>();
      for (const row of table.split('\n').filter((l) => l.startsWith('| `'))) {
        const [names, values] = row.split('|').slice(1, 3).map((c) => c.trim()) as [string, string];
        const keys = [...names.matchAll(/`(\w+)`/g)].map((m) => m[1]!);
        const parts = keys.length === 1 ? [values] : values.split(',').map((v) => v.trim());
        keys.forEach((k, i) => stated.set(k, parts[i]!));
      }
      const shown = (k: string, v: unknown) => {
        if (k === 'trainingSubsidy') {
          const t = v as { basePerPassed: string; outcomePerStarted: string; outcomeMonths: number };
          return `base ${t.basePerPassed} per pass; outcome ${t.outcomePerStarted} per start within ${t.outcomeMonths} months`;
        }
        if (k === 'incubatorRewards') {
          return Object.entries(v as Record<string, { amountEach: string; monthsAfterGraduation: number | null }>)
            .map(([kind, r]) => `${kind} ${r.amountEach} ${r.monthsAfterGraduation === null ? 'any time' : `to +${r.monthsAfterGraduation} months`}`)
            .join('; ');
        }
        if (k !== 'lossSharing') return String(v);
        const l = v as { guaranteeFund: string; bank: string; guaranteeCompany: string };
        return `fund ${l.guaranteeFund}, bank ${l.bank}, company ${l.guaranteeCompany}`;
      };
      expect([...stated.keys()].sort()).to.deep.equal(Object.keys(defaultPolicyParams).sort());
      for (const [k, v] of Object.entries(defaultPolicyParams)) expect(stated.get(k), k).to.equal(shown(k, v));
      expect(policyParamsSchema.parse(defaultPolicyParams)).to.deep.equal(defaultPolicyParams);
    });

    it('fills in the age limits when they are left out', () => {
      const { ageMin: _min, ageMax: _max, ...withoutAges } = defaultPolicyParams;
      const parsed = policyParamsSchema.parse(withoutAges);
      expect([parsed.ageMin, parsed.ageMax]).to.deep.equal([18, 60]);
    });

    it('expresses the later national rules by parameters alone', () => {
      const later = {
        ...defaultPolicyParams,
        guaranteeMax: '300000.00',
        termMonthsMax: 36,
        rateCap: '0.0450',
        subsidyMode: 'above_borrower_rate',
        borrowerRateFloor: '0.0150',
        lossSharing: { guaranteeFund: '0.70', bank: '0.25', guaranteeCompany: '0.05' },
      };
      expect(problems(later)).to.deep.equal([]);
      expect(problems({ ...later, lossSharing: { guaranteeFund: '0.8', bank: '0.2', guaranteeCompany: '0' } })).to.deep.equal([]);
    });

    it('refuses unknown and missing keys', () => {
      expect(problems({ ...defaultPolicyParams, guaranteeMaxx: '1.00' })).to.deep.equal([
        ['', 'Unrecognized key: "guaranteeMaxx"'],
      ]);
      const { rateCap: _omit, ...withoutCap } = defaultPolicyParams;
      expect(problems(withoutCap).map(([p]) => p)).to.deep.equal(['rateCap']);
      expect(problems({ ...defaultPolicyParams, lossSharing: { guaranteeFund: '1', bank: '0' } }).map(([p]) => p)).to.deep.equal([
        'lossSharing.guaranteeCompany',
      ]);
    });

    it('refuses wrong types field by field', () => {
      expect(problems({ ...defaultPolicyParams, guaranteeMin: 50000 }).map(([p]) => p)).to.deep.equal(['guaranteeMin']);
      expect(problems({ ...defaultPolicyParams, guaranteeMax: '100000.001' }).map(([p]) => p)).to.deep.equal(['guaranteeMax']);
      expect(problems({ ...defaultPolicyParams, rateCap: '6' }).map(([p]) => p)).to.deep.equal(['rateCap']);
      expect(problems({ ...defaultPolicyParams, graceDays: -1 }).map(([p]) => p)).to.deep.equal(['graceDays']);
      expect(problems({ ...defaultPolicyParams, defaultAfterDays: 90.5 }).map(([p]) => p)).to.deep.equal(['defaultAfterDays']);
      expect(problems({ ...defaultPolicyParams, maxActiveLoans: '1' }).map(([p]) => p)).to.deep.equal(['maxActiveLoans']);
      expect(problems({ ...defaultPolicyParams, subsidyMode: 'half' }).map(([p]) => p)).to.deep.equal(['subsidyMode']);
      expect(problems({ ...defaultPolicyParams, termMonthsMin: 0 }).map(([p]) => p)).to.deep.equal(['termMonthsMin']);
    });

    it('checks the cross-field rules, each at its own path', () => {
      expect(problems({ ...defaultPolicyParams, guaranteeMin: '100000.01' })).to.deep.equal([
        ['guaranteeMin', 'must not be greater than guaranteeMax'],
      ]);
      expect(problems({ ...defaultPolicyParams, termMonthsMin: 25 })).to.deep.equal([
        ['termMonthsMin', 'must not be greater than termMonthsMax'],
      ]);
      expect(problems({ ...defaultPolicyParams, rateCap: '0.0000' })).to.deep.equal([['rateCap', 'must be greater than 0']]);
      expect(problems({ ...defaultPolicyParams, ageMin: 61 })).to.deep.equal([['ageMin', 'must not be greater than ageMax']]);
      expect(problems({ ...defaultPolicyParams, maxActiveLoans: 4 })).to.deep.equal([
        ['maxActiveLoans', 'must not be greater than maxLifetimeLoans'],
      ]);
      expect(problems({ ...defaultPolicyParams, lossSharing: { guaranteeFund: '0.8', bank: '0.1', guaranteeCompany: '0.05' } })).to.deep.equal([
        ['lossSharing', 'guaranteeFund + bank + guaranteeCompany must add up to exactly 1'],
      ]);
    });

    it('reports cross-field problems together with malformed fields in one answer', () => {
      expect(problems({ ...defaultPolicyParams, guaranteeMax: 'lots', ageMin: 70, termMonthsMin: 30 })).to.deep.equal([
        ['guaranteeMax', 'must be a decimal string with at most 2 decimals, e.g. "80000.00"'],
        ['termMonthsMin', 'must not be greater than termMonthsMax'],
        ['ageMin', 'must not be greater than ageMax'],
      ]);
    });

    it('accepts equal bounds', () => {
      expect(problems({ ...defaultPolicyParams, guaranteeMin: '80000', guaranteeMax: '80000.00', termMonthsMin: 12, termMonthsMax: 12 })).to.deep.equal([]);
    });

    it('bounds every number, far below what breaks date arithmetic or a counter', () => {
      const past: Record<string, unknown> = {
        guaranteeMax: '100000000.01', termMonthsMax: 601, extensionMaxMonths: 601, graceDays: 3651, defaultAfterDays: 3651,
        leverageCap: 101, maxActiveLoans: 501, maxLifetimeLoans: 501, certificateMaxAgeMonths: 601, counterGuaranteeDays: 3651,
        guaranteeDecisionDays: 3651, disbursalDays: 3651, backdatingWindowDays: 3651, ageMax: 151,
      };
      for (const [k, v] of Object.entries(past)) {
        expect(problems({ ...defaultPolicyParams, [k]: v }).map(([p]) => p), k).to.include(k);
      }
      expect(problems({ ...defaultPolicyParams, counterGuaranteeDays: Number.MAX_SAFE_INTEGER })).to.deep.equal([['counterGuaranteeDays', 'must be at most 3650']]);
      const atTheBounds = {
        ...defaultPolicyParams, guaranteeMax: '100000000.00', termMonthsMax: 600, extensionMaxMonths: 600, graceDays: 3650, defaultAfterDays: 3650,
        leverageCap: 100, maxActiveLoans: 500, maxLifetimeLoans: 500, certificateMaxAgeMonths: 600, counterGuaranteeDays: 3650,
        guaranteeDecisionDays: 3650, disbursalDays: 3650, backdatingWindowDays: 3650, ageMax: 150,
      };
      expect(problems(atTheBounds)).to.deep.equal([]);
    });

    it('refuses a non-object', () => {
      expect(problems('defaults')).to.have.length(1);
      expect(problems(null)).to.have.length(1);
    });
  });

  describe('policyInForce', () => {
    const versions = [
      { id: 'a', effectiveFrom: '2026-01-01', createdSeq: 1 },
      { id: 'c', effectiveFrom: '2027-01-01', createdSeq: 3 },
      { id: 'b', effectiveFrom: '2027-01-01', createdSeq: 2 },
      { id: 'd', effectiveFrom: '2028-01-01', createdSeq: 4 },
    ];

    it('picks the latest effectiveFrom on or before the day, the newest among equals', () => {
      expect(policyInForce(versions, '2025-12-31')).to.equal(undefined);
      expect(policyInForce(versions, '2026-01-01')?.id).to.equal('a');
      expect(policyInForce(versions, '2026-12-31')?.id).to.equal('a');
      expect(policyInForce(versions, '2027-01-01')?.id).to.equal('c');
      expect(policyInForce(versions, '2027-12-31')?.id).to.equal('c');
      expect(policyInForce(versions, '2030-01-01')?.id).to.equal('d');
      expect(policyInForce([], '2030-01-01')).to.equal(undefined);
    });

    it('orders equals by createdAt when there is no sequence', () => {
      const byTime = [
        { id: 'late', effectiveFrom: '2027-01-01', createdAt: '2026-12-01T10:00:00.000Z' },
        { id: 'early', effectiveFrom: '2027-01-01', createdAt: new Date('2026-11-01T10:00:00.000Z') },
      ];
      expect(policyInForce(byTime, '2027-06-01')?.id).to.equal('late');
    });

    it('does not depend on the order of the list', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.record({ offset: fc.integer({ min: 0, max: 40 }), createdSeq: fc.integer({ min: 0, max: 1000 }) }), {
            selector: (v) => v.createdSeq,
            maxLength: 12,
          }),
          fc.integer({ min: -5, max: 45 }),
          (raw, dayOffset) => {
            const vs = raw.map((v) => ({ effectiveFrom: addDays('2027-01-01', v.offset), createdSeq: v.createdSeq }));
            const day = addDays('2027-01-01', dayOffset);
            const picked = policyInForce(vs, day);
            expect(policyInForce([...vs].reverse(), day)).to.equal(picked);
            const eligible = vs.filter((v) => v.effectiveFrom <= day);
            if (eligible.length === 0) {
              expect(picked).to.equal(undefined);
              return;
            }
            const latest = eligible.reduce((a, b) => (b.effectiveFrom > a.effectiveFrom ? b : a)).effectiveFrom;
            const newest = Math.max(...eligible.filter((v) => v.effectiveFrom === latest).map((v) => v.createdSeq));
            expect(picked).to.include({ effectiveFrom: latest, createdSeq: newest });
          },
        ),
      );
    });
  });
});
