import { expect } from 'chai';
import type { Knex } from 'knex';
import { testEnv } from '../support/env';

/**
 * docs/programmes.md ("Incubator rewards"): an enterprise's graduation date is "recorded once", and
 * the reward windows count from its entry and graduation dates. The house rule: what must not change
 * is refused by the database itself. Here the hostile application role moves the dates of the demo's
 * graduated enterprise (demo-seeded).
 */
describe('attack: an incubated enterprise’s dates, as the application role', function () {
  let db: Knex;

  before(async function () {
    this.timeout(120_000);
    db = (await (await testEnv()).newDatabase('attack_incubators', { seed: true })).db;
  });
  after(async () => db?.destroy());

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
});
