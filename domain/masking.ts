/**
 * How personal data is shown to someone entitled to know a record exists but not whose it is: one
 * rule for every view that masks (certificates today).
 */

/**
 * An ID number with only its region (first 6) and last 4 characters kept, `110105********1234`;
 * the birth date in between is hidden. A shorter text keeps at most its last 2 characters.
 */
export function maskIdNumber(id: string): string {
  const chars = Array.from(id);
  const [head, tail] = chars.length >= 18 ? [6, 4] : [0, Math.min(2, Math.floor(chars.length / 4))];
  return chars.map((c, i) => (i < head || i >= chars.length - tail ? c : '*')).join('');
}

/**
 * The family name and a `*`: `张*` for 张伟, `Zhang *` for "Zhang Wei" (a name written with spaces
 * puts the family name first, as on the ID card).
 */
export function maskName(name: string): string {
  const trimmed = name.trim();
  const words = trimmed.split(/\s+/);
  if (words.length > 1) return `${words[0]} *`;
  const first = Array.from(trimmed)[0];
  return first === undefined ? '*' : `${first}*`;
}

/** Fields of a recorded payload that hold a person's ID number (`holderIdNumber`, `idNumber`). */
const ID_NUMBER_FIELD = /idnumber$/i;
/** Fields of a recorded payload that hold a person's name (organisations' and funds' names are not). */
const PERSON_NAME_FIELDS = new Set(['holderName', 'applicantName', 'traineeName']);

/**
 * A recorded JSON payload (the audit trail's) with every ID number and person's name in it masked,
 * at any depth: what a reader who sees them masked elsewhere may see of it.
 */
export function maskPersonalFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPersonalFields);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => {
      if (typeof v === 'string' && ID_NUMBER_FIELD.test(k)) return [k, maskIdNumber(v)];
      if (typeof v === 'string' && PERSON_NAME_FIELDS.has(k)) return [k, maskName(v)];
      return [k, maskPersonalFields(v)];
    }),
  );
}
