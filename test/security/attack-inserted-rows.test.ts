import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { testEnv } from '../support/env';

/**
 * Rows inserted past their first state, as the hostile application role: a guard that holds a
 * row's moves on UPDATE only lets a row be written straight into a state no step of the workflow
 * reached it by (docs/security.md). Demo-seeded: a paid base training claim.
 */
describe('attack: rows inserted already past their first state, as the application role', function () {
  let db: Knex;
  const refusal = (p: Promise<unknown>) => p.then(() => null, (e: { code?: string; message: string }) => e);

  before(async function () {
    this.timeout(120_000);
    db = (await (await testEnv()).newDatabase('attack_inserted_rows', { seed: true })).db;
  });
  after(async () => db?.destroy());

  it('refuses a trainee line added to a paid training claim, and writes nothing', async () => {
    // The outcome part pays for the live lines of a paid base claim: a line added after the check
    // would be paid for without any officer having checked it.
    const paid = await db('training_claims').where({ status: 'PAID', part: 'base' }).first();
    const line = await db('training_claim_lines').where({ claim_id: paid.id, live: true }).first();
    const tag = randomUUID().slice(0, 8);
    const row = { ...line, certificate_no: `INSERTED-${tag}`, holder_id_number: `INSERTED-${tag}`, holder_name: 'Inserted trainee' };
    const e = await refusal(db('training_claim_lines').insert(row));
    expect(e, 'a line inserted into a PAID claim').to.not.equal(null);
    expect(e!.code, e!.message).to.equal('42501');
    expect(await db('training_claim_lines').where({ claim_id: paid.id, certificate_no: row.certificate_no }).first()).to.equal(undefined);
  });
});
