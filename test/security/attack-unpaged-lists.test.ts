import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { usePrivateSuite } from '../support/api';
import { expectAtMostAPage } from './pages';

/**
 * Finance lists that grow with every write and are answered whole (the house rule: a page with a
 * cap). A finance officer imports a statement again as often as they like (each import is a
 * reconciliation, kept), and proposes top-ups without limit (each is kept, pending or decided); the
 * reconciliations' list also works out, for each row, which later import superseded it.
 */
describe('attack: finance lists with no page', function () {
  const s = usePrivateSuite('attack_unpaged', { runWorker: false });

  it('GET /v1/reconciliations answers at most a page, however often statements were imported', async () => {
    const officer = await s.db('users').where({ username: 'fin-officer' }).first();
    const bank = await s.db('organisations').where({ type: 'bank' }).orderBy('name').first();
    const quarter = (await s.db('accounting_periods').where({ status: 'open' }).orderBy('quarter', 'desc').first('quarter'))?.quarter ?? '2026Q4';
    // Written straight as the application role, as an import writes them, to be quick: 250 imports.
    const ids = Array.from({ length: 250 }, () => randomUUID());
    await s.db('reconciliations').insert(
      ids.map((id, i) => ({ id, bank_id: bank.id, quarter, source_format: 'csv', file_name: `again-${i}.csv`, file_sha256: '0'.repeat(64), status: 'importing', imported_by: officer.id })),
    );
    await s.db('reconciliations').whereIn('id', ids).update({
      status: 'imported', line_count: 0, statement_total: '0.00', payout_count: 0, payout_total: '0.00', matched: 0,
      missing_in_ledger: 0, missing_in_statement: 0, amount_differs: 0, date_differs: 0, duplicated: 0,
    });
    await expectAtMostAPage(s.h, '/v1/reconciliations', 'reconciliations');
  });

  it('GET /v1/funds/:id/top-ups answers at most a page, however many top-ups were proposed', async function () {
    this.timeout(120_000);
    const token = await s.h.login('fin-officer');
    const funds = await s.h.call('GET', '/v1/funds', { token });
    expect(funds.status).to.equal(200);
    const fundId = (Array.isArray(funds.body) ? funds.body : funds.body.items)[0].id;
    for (let i = 0; i < 210; i++) {
      const made = await s.h.call('POST', `/v1/funds/${fundId}/top-ups`, { token, body: { amount: '1.00', reason: `proposal ${i}` } });
      expect(made.status, JSON.stringify(made.body)).to.equal(201);
    }
    await expectAtMostAPage(s.h, `/v1/funds/${fundId}/top-ups`, 'proposals');
  });
});
