import { expect } from 'chai';
import { openApiSuite, newApplicant, type ApiHarness } from '../support/api';
import { submit, type DemoOrgs } from '../applications/helpers';
import { maskIdNumber, maskName } from '../../domain/masking';

/** Certificate numbers are sequential: looking one up must not hand out the holder's ID number. */
describe('certificates: who sees the holder', () => {
  let h: ApiHarness, orgs: DemoOrgs;
  before(async () => ({ h, orgs } = await openApiSuite()));
  after(async () => h?.close());

  const look = async (no: string, who: string | { token: string }) =>
    h.call('GET', `/v1/certificates/${encodeURIComponent(no)}`, { token: typeof who === 'string' ? await h.login(who) : who.token });

  it('shows the full record to its institution, the holder and officers handling an application on it; masked to others', async () => {
    const a = await newApplicant(h);
    const unused = await newApplicant(h);
    await submit(h, a, orgs, { bankId: orgs.bankA });
    const full = { holderIdNumber: a.idNumber, holderName: a.name, masked: false };
    const masked = { holderIdNumber: maskIdNumber(a.idNumber), holderName: maskName(a.name), masked: true };
    expect(masked.holderIdNumber).to.match(/^\d{6}\*{8}[\dX]{4}$/);

    const expected: Array<[string | { token: string }, object]> = [
      ['trainer', full],
      [{ token: a.token }, full],
      ['community-a', full], // the application's community
      ['g-reviewer', full], // its guarantee company
      ['auditor', full],
      ['community-b', masked],
      ['bank-b', masked],
    ];
    for (const [who, want] of expected) {
      const r = await look(a.certificateNo, who);
      expect(r.status, JSON.stringify(who)).to.equal(200);
      expect(r.body, JSON.stringify(who)).to.include(want);
    }
    // No application on it yet: masked to every officer but its institution.
    for (const who of ['community-a', 'g-reviewer', 'bank-a', 'auditor', 'fin-officer']) {
      const r = await look(unused.certificateNo, who);
      expect(r.body, who).to.include({ holderIdNumber: maskIdNumber(unused.idNumber), holderName: maskName(unused.name), masked: true });
    }
    expect((await look(unused.certificateNo, 'trainer')).body).to.include({ holderIdNumber: unused.idNumber, masked: false });
    // Not its holder, nor an admin: not found at all, as before.
    expect((await look(a.certificateNo, { token: unused.token })).status).to.equal(404);
    expect((await look(a.certificateNo, 'admin')).status).to.equal(404);
  });
});
