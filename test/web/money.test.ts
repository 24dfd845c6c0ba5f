import { expect } from 'chai';
import fc from 'fast-check';
import { formatMoney, formatRate, groupDecimal } from '../../web/src/lib/money';

describe('Console money formatting (text only, no arithmetic)', () => {
  it('regroups any decimal string without changing its digits, always with two decimals', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 99 }), fc.boolean(), (whole, cents, neg) => {
        const text = `${neg ? '-' : ''}${whole}.${String(cents).padStart(2, '0')}`;
        const shown = groupDecimal(text);
        expect(shown.replace(/,/g, '')).to.equal(text);
        expect(shown).to.match(/^-?\d{1,3}(,\d{3})*\.\d{2}$/);
      }),
    );
  });

  it('shows ¥ in Chinese and CNY in English, the sign first, pads one decimal, and leaves non-numbers alone', () => {
    expect(formatMoney('80000.00', 'zh-CN')).to.equal('¥80,000.00');
    expect(formatMoney('-1200.5', 'zh-CN')).to.equal('-¥1,200.50');
    expect(formatMoney('1234567.5', 'en-US')).to.equal('CNY 1,234,567.50');
    expect(formatMoney('0', 'zh-CN')).to.equal('¥0.00');
    expect(formatMoney('99999999999999999.99', 'zh-CN')).to.equal('¥99,999,999,999,999,999.99');
    expect(formatMoney(null, 'zh-CN')).to.equal('—');
    expect(groupDecimal('abc')).to.equal('abc');
    expect(formatRate('0.0435')).to.equal('4.35%');
    expect(formatRate('0.06')).to.equal('6%');
    expect(formatRate('0.5')).to.equal('50%');
  });
});
