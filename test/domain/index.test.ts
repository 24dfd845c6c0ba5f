import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as domain from '../../domain';

const domainDir = path.resolve(__dirname, '..', '..', 'domain');

describe('domain/index', () => {
  it('re-exports the public pieces', () => {
    for (const name of [
      'roundFen',
      'formatMoney',
      'moneyString',
      'isoDateSchema',
      'addMonthsClamped',
      'idNumberSchema',
      'roleSchema',
      'policyParamsSchema',
      'defaultPolicyParams',
      'policyInForce',
      'buildSchedule',
      'subsidyFor',
      'checkEligibility',
    ]) {
      expect(domain, name).to.have.property(name);
    }
  });

  it('keeps domain code free of I/O, clocks and randomness, so workflows stay deterministic', () => {
    const forbidden = [/from 'node:/, /require\(/, /Date\.now/, /new Date\(\)/, /Math\.random/, /process\./, /setTimeout/, /console\./];
    for (const file of readdirSync(domainDir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(path.join(domainDir, file), 'utf8');
      for (const pattern of forbidden) expect(source, `${file} matches ${pattern}`).to.not.match(pattern);
    }
  });
});
