/**
 * Money arrives from the API as a decimal string ("80000.00") and is only formatted here, never
 * computed: the digits are regrouped as text, so no amount ever passes through a JS number.
 */
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** "1234567.5" → "1,234,567.50"; text that is not a decimal is returned as it is. */
export function groupDecimal(amount: string): string {
  const m = DECIMAL.exec(amount.trim());
  if (!m) return amount;
  const [, sign, whole, fraction = ''] = m;
  const grouped = whole!.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  // Always two decimals: pad a shorter fraction; a longer one (never sent by the API) is shown whole.
  return `${sign}${grouped}.${fraction.padEnd(2, '0')}`;
}

/** An amount as officers read it: "¥80,000.00" in Chinese, "CNY 80,000.00" in English; the sign before the currency. */
export function formatMoney(amount: string | null | undefined, lang: string): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const text = groupDecimal(amount);
  const [sign, digits] = text.startsWith('-') ? ['-', text.slice(1)] : ['', text];
  return lang.startsWith('zh') ? `${sign}¥${digits}` : `${sign}CNY ${digits}`;
}

/** A rate given as a fraction string ("0.0435") shown as a percentage ("4.35%"), by moving the point. */
export function formatRate(rate: string | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  const m = DECIMAL.exec(rate.trim());
  if (!m) return rate;
  const [, sign, whole, fraction = ''] = m;
  const padded = fraction.padEnd(2, '0');
  const intPart = `${whole}${padded.slice(0, 2)}`.replace(/^0+(?=\d)/, '');
  const rest = padded.slice(2).replace(/0+$/, '');
  return `${sign}${intPart}${rest ? `.${rest}` : ''}%`;
}
