import { expect } from 'chai';
import type { Knex } from 'knex';
import { testEnv } from '../support/env';
import { startApi } from '../support/api';
import { useOwnDatabase } from './own-database';

/**
 * docs/programmes.md ("Incubator rewards"): an enterprise's graduation date is "recorded once", and
 * the reward windows count from its entry and graduation dates. The house rule: what must not change
 * is refused by the database itself. Here the hostile application role moves the dates of the demo's
 * graduated enterprise (demo-seeded).
 */
describe('attack: an incubated enterprise’s dates, as the application role', function () {
  let db: Knex;

  useOwnDatabase('attack_incubators', (d) => (db = d));

  it('a recorded graduation date and the entry date do not move (the reward windows count from them)', async () => {
    const e = await db('incubated_enterprises').whereNotNull('graduated_on').first();
    expect(e, 'the demo’s graduated enterprise').to.not.equal(undefined);
    const attempt = (set: object) => db('incubated_enterprises').where({ id: e.id }).update(set).then(() => 'allowed', () => 'refused');
    expect({
      // Graduated later: every window after graduation grows by as much.
      graduatedOn: await attempt({ graduated_on: '2199-12-31' }),
      // Or "not graduated": an enterprise not yet graduated is within every window.
      ungraduated: await attempt({ graduated_on: null }),
      enteredOn: await attempt({ entered_on: '2000-01-01' }),
    }).to.deep.equal({ graduatedOn: 'refused', ungraduated: 'refused', enteredOn: 'refused' });
  });

  it('a graduation is not recorded for a day still to come: recorded once, it could never be set right', async () => {
    const h = await startApi({ ...(await testEnv()), db }, { runWorker: false });
    try {
      const token = await h.login('fin-officer');
      const e = await db('incubated_enterprises').whereNull('graduated_on').first();
      const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
      const graduated = await h.call('POST', `/v1/incubators/${e.incubator_id}/enterprises/${e.id}/graduation`, {
        token, body: { graduatedOn: '2199-12-31' }, headers: { 'idempotency-key': `attack-graduation-${Date.now()}` },
      });
      const registered = await h.call('POST', `/v1/incubators/${e.incubator_id}/enterprises`, {
        token, body: { name: 'Attack future graduate', creditCode: '91220101MC00000011', enteredOn: today, graduatedOn: '2199-12-31' },
        headers: { 'idempotency-key': `attack-register-${Date.now()}` },
      });
      expect({ graduation: graduated.status, registration: registered.status }, `graduatedOn 2199-12-31 on ${today}`).to.deep.equal({ graduation: 400, registration: 400 });
    } finally {
      await h.close();
    }
  });
});
