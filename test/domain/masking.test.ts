import { expect } from 'chai';
import fc from 'fast-check';
import { maskIdNumber, maskName, maskPersonalFields } from '../../domain/masking';
import { checkCharFor } from '../../domain/id-number';

const idNumber = fc
  .tuple(fc.integer({ min: 110000, max: 659999 }), fc.date({ min: new Date('1940-01-01'), max: new Date('2010-12-31'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }))
  .map(([region, birth, seq]) => {
    const first17 = `${region}${birth.toISOString().slice(0, 10).replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
    return first17 + checkCharFor(first17);
  });

describe('masking personal data', () => {
  it('keeps an ID number’s region and last 4 characters, hiding the birth date', () => {
    expect(maskIdNumber('110105199003071234')).to.equal('110105********1234');
    fc.assert(
      fc.property(idNumber, (id) => {
        const m = maskIdNumber(id);
        expect(m).to.have.length(18);
        expect(m.slice(0, 6)).to.equal(id.slice(0, 6));
        expect(m.slice(14)).to.equal(id.slice(14));
        expect(m.slice(6, 14)).to.equal('********');
        expect(maskIdNumber(m)).to.equal(m);
      }),
    );
  });

  it('never shows more than 10 characters of any text, nor any of a short one but its end', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const m = Array.from(maskIdNumber(s));
        const shown = m.filter((c) => c !== '*').length;
        expect(m.length).to.equal(Array.from(s).length);
        expect(shown).to.be.at.most(m.length >= 18 ? 10 : 2);
      }),
    );
  });

  it('keeps a name’s family name only', () => {
    expect(maskName('张伟')).to.equal('张*');
    expect(maskName('Zhang Wei')).to.equal('Zhang *');
    expect(maskName('  ')).to.equal('*');
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Za-z\u4e00-\u9fa5]{1,8}$/), { minLength: 1, maxLength: 4 }), (words) => {
        const name = words.join(' ');
        const m = maskName(name);
        expect(m.endsWith('*')).to.equal(true);
        const kept = m.slice(0, -1).trim();
        expect(name.startsWith(kept)).to.equal(true);
        if (words.length > 1) expect(kept).to.equal(words[0]);
        else expect(Array.from(kept)).to.have.length(1);
      }),
    );
  });

  it('masks every ID number and person’s name in a recorded payload, at any depth, and nothing else', () => {
    expect(maskPersonalFields({ certificateNo: 'C-1', holderIdNumber: '110105199003071234', holderName: '张伟', name: 'Fund 2026', amount: '1.00' })).to.deep.equal({
      certificateNo: 'C-1', holderIdNumber: '110105********1234', holderName: '张*', name: 'Fund 2026', amount: '1.00',
    });
    const payload = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.constant(null), tie('object'), tie('array')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.record({ idNumber: idNumber, nested: fc.dictionary(fc.constantFrom('holderIdNumber', 'applicantName', 'note'), tie('value'), { maxKeys: 3 }) }),
    })).object;
    fc.assert(
      fc.property(payload, (p) => {
        const masked = maskPersonalFields(p) as typeof p;
        expect(JSON.stringify(masked)).to.not.include(p.idNumber);
        expect(masked.idNumber).to.equal(maskIdNumber(p.idNumber));
        expect(Object.keys(masked.nested)).to.deep.equal(Object.keys(p.nested));
      }),
    );
  });
});
