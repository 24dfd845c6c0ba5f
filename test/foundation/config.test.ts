import { expect } from 'chai';
import { loadConfig, ConfigError } from '../../config';

describe('config', () => {
  it('has defaults for a local run', () => {
    const c = loadConfig({});
    expect(c.PORT).to.equal(3000);
    expect(c.TASK_QUEUE).to.equal('loanflow');
    expect(c.TEMPORAL_NAMESPACE).to.equal('default');
    expect(c.DATABASE_URL).to.equal(undefined);
  });

  it('stops on bad values, naming each variable and its rule', () => {
    const bad = () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'no-port', LOG_LEVEL: 'loud' });
    expect(bad).to.throw(ConfigError);
    try {
      bad();
    } catch (e) {
      const msg = (e as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'LOG_LEVEL']) expect(msg).to.contain(name);
      expect(msg).to.contain('postgres://');
    }
  });
});
