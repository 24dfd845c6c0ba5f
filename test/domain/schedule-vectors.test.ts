import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ScheduleInput, buildSchedule, scheduleTotals, subsidyByQuarter } from '../../domain/schedule';

const repoRoot = path.resolve(__dirname, '..', '..');
// A copy kept in the repository, so a clean checkout tests without the steering folder beside
// it; the drift test below compares it with ../shared when that folder is there.
const vectorsFile = path.resolve(repoRoot, 'test', 'fixtures', 'schedules.json');
const sharedVectorsFile = path.resolve(repoRoot, '..', 'shared', 'vectors', 'schedules.json');

interface Vector {
  input: ScheduleInput;
  schedule: unknown[];
  totals?: unknown;
  subsidyByQuarter?: unknown;
}

const { vectors } = JSON.parse(readFileSync(vectorsFile, 'utf8')) as { vectors: Vector[] };

// A vector carrying something this code does not read would otherwise pass while
// checking nothing; fail instead, so the new field gets supported.
const KNOWN_VECTOR_KEYS = ['input', 'schedule', 'totals', 'subsidyByQuarter'];
const KNOWN_INPUT_KEYS = ['repaymentMethod', 'amount', 'annualRate', 'disbursedOn', 'termMonths', 'policy'];
const KNOWN_POLICY_KEYS = ['subsidyMode', 'subsidyShare', 'borrowerRateFloor'];

function describeVector(v: Vector): string {
  const { repaymentMethod, amount, annualRate, disbursedOn, termMonths, policy } = v.input;
  return `${repaymentMethod} ${String(amount)} at ${String(annualRate)} from ${disbursedOn} for ${termMonths} months, ${policy.subsidyMode}`;
}

describe('domain/schedule against shared/vectors/schedules.json', () => {
  it('uses a copy identical to ../shared/vectors/schedules.json wherever that folder is present', () => {
    const copy = readFileSync(vectorsFile, 'utf8');
    const shared = existsSync(sharedVectorsFile) ? readFileSync(sharedVectorsFile, 'utf8') : copy;
    expect(JSON.parse(copy)).to.deep.equal(JSON.parse(shared));
  });

  it('has vectors, every one made only of fields this code understands', () => {
    expect(vectors.length).to.be.greaterThan(0);
    for (const v of vectors) {
      expect(KNOWN_VECTOR_KEYS).to.include.members(Object.keys(v));
      expect(KNOWN_INPUT_KEYS).to.include.members(Object.keys(v.input));
      expect(KNOWN_POLICY_KEYS).to.include.members(Object.keys(v.input.policy));
    }
  });

  vectors.forEach((v, i) => {
    describe(`vector ${i}: ${describeVector(v)}`, () => {
      const schedule = buildSchedule(v.input);

      it('reproduces every period to the fen', () => {
        expect(schedule).to.have.length(v.schedule.length);
        schedule.forEach((line, j) => {
          expect(line, `period ${j + 1}`).to.deep.equal(v.schedule[j]);
        });
      });

      if (v.totals !== undefined) {
        it('reproduces the totals', () => {
          expect(scheduleTotals(schedule)).to.deep.equal(v.totals);
        });
      }

      if (v.subsidyByQuarter !== undefined) {
        it('reproduces the subsidy per quarter', () => {
          expect(subsidyByQuarter(schedule)).to.deep.equal(v.subsidyByQuarter);
        });
      }
    });
  });
});
