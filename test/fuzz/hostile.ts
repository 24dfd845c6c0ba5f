/**
 * What a hostile client sends: values of the wrong type, numbers JSON cannot round-trip, NaN-ish
 * and odd-looking strings, Unicode edge cases (NUL, lone surrogates, BOM, bidi overrides), deep
 * nesting, huge strings, odd dates, amounts and quarters, and odd path, query and header values.
 */
import fc from 'fast-check';

/** JSON text written as it is into a body: numbers JSON.stringify cannot write, or deep nesting. */
export class JsonLiteral {
  /** nesting: how many arrays or objects deep the text goes (0 for a number). */
  constructor(
    readonly text: string,
    readonly nesting = 0,
  ) {}
  toJSON(): string {
    return `«${this.text.length > 60 ? `${this.text.slice(0, 60)}… (${this.text.length} chars)` : this.text}»`;
  }
}

/** JSON text of a value that may hold JsonLiterals (recursion is fine: deep values are literals). */
export function jsonText(v: unknown): string {
  if (v instanceof JsonLiteral) return v.text;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

export const MAX_DEPTH_ALLOWED = 32;
export const deepArray = (depth: number) => new JsonLiteral('['.repeat(depth) + '1' + ']'.repeat(depth), depth);
export const deepObject = (depth: number) => new JsonLiteral('{"a":'.repeat(depth) + '1' + '}'.repeat(depth), depth);

/** Strings PostgreSQL cannot store as they are: every request holding one must be a 400. */
export const unstorableString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('\u0000', 'ok\u0000', '\u0000\u0000', '\ud800', '\udfff', 'a\ud83db', 'x\udc00y', '\udc00\ud800', '🙂'.slice(0, 1), 'end\ud800'),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff'), fc.string({ maxLength: 10 })).map(([a, b, c]) => a + b + c),
);

const oddDates = [
  '0000-01-01', '0001-01-01', '1899-12-31', '1900-01-01', '2999-12-31', '3000-01-01', '9999-12-31', '2027-02-29', '2028-02-29', '2100-02-29',
  '2027-13-01', '2027-00-10', '2027-01-00', '2027-1-1', '+02027-01-01', '-2027-01-01', '2027-01-01T00:00:00Z', '20270101', '2027/01/01', '٢٠٢٧-٠١-٠١',
];
const oddMoney = [
  '0', '0.00', '0.001', '-1.00', '-0.00', '1e3', '1E3', '99999999999999999.99', '9999999999999999.99', '100000000.00', '100000000.01', '1000000000.01',
  '1000000000000.00', '1000000000000.01', '00.10', '01', '.5', '5.', '1.5.5', ' 1.00', '1.00 ', '1,000.00', '1_000', '0x10', '１２３', '٣', 'NaN', 'Infinity',
];
const oddQuarters = ['0000Q1', '1899Q4', '9999Q4', '2027Q5', '2027Q0', '2027q1', '27Q1', '2027-Q1', 'Q1', '2027Q1 '];
const nanIsh = ['NaN', 'nan', 'Infinity', '-Infinity', 'undefined', 'null', 'true', 'false', '[]', '{}', '-0', '1e309', '0x1F', '0b1', '1_0', '  ', '', '\t\n'];
const unicodeEdges = [
  '\ufeff', '\ufeffok', '\u202eevil', 'a\u200db', 'e\u0301', '\uffff', '\ufffe', '\u2028', '\u2029', '\u0085', '\u001b[31m', '\u007f', '👨‍👩‍👧‍👦', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '中文名字', 'Ω≈ç√∫',
  "'; drop table users; --", '<script>alert(1)</script>', '${7*7}', '%s%s%s', '../../etc/passwd', '\\', '"', 'null\\u0000',
];
const hugeNumbers = ['1e400', '-1e400', '1e308', '9007199254740993', '123456789012345678901234567890', '-0', '0.1e-400', '1.0000000000000000000001', '2147483648', '-2147483649', '4294967296'];

/** A value of any JSON type that does not belong in a field of any type. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 31), [], {}, [null], { a: 1 }, '', ' ') },
  { weight: 2, arbitrary: fc.constantFrom(...hugeNumbers).map((t) => new JsonLiteral(t)) },
  { weight: 2, arbitrary: fc.constantFrom(...nanIsh) },
  { weight: 3, arbitrary: fc.constantFrom(...unicodeEdges) },
  { weight: 3, arbitrary: unstorableString },
  { weight: 2, arbitrary: fc.constantFrom(...oddDates) },
  { weight: 2, arbitrary: fc.constantFrom(...oddMoney) },
  { weight: 1, arbitrary: fc.constantFrom(...oddQuarters) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_DEPTH_ALLOWED + 1, max: 100_000 }).chain((d) => fc.constantFrom(deepArray(d), deepObject(Math.min(d, 60_000)))) },
  { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 200_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 2, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Whether v holds text PostgreSQL cannot store, or nesting past the limit, anywhere (keys included). */
export function breaksInputRules(v: unknown, depth = 0): boolean {
  if (v instanceof JsonLiteral) return depth + v.nesting > MAX_DEPTH_ALLOWED;
  if (typeof v === 'string') return unstorable(v);
  if (v === null || typeof v !== 'object') return false;
  if (depth >= MAX_DEPTH_ALLOWED) return true;
  return Object.entries(v).some(([k, x]) => (!Array.isArray(v) && unstorable(k)) || breaksInputRules(x, depth + 1));
}

export function unstorable(s: string): boolean {
  return s.includes('\u0000') || /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** A path segment as sent (already percent-encoded where it should be), and whether it breaks the input rules. */
export const hostilePathSegment: fc.Arbitrary<{ raw: string; unstorable: boolean }> = fc.oneof(
  fc.constantFrom(
    { raw: '%00', unstorable: true },
    { raw: 'abc%00', unstorable: true },
    { raw: '%ED%A0%80', unstorable: false }, // a surrogate in CESU-8: not UTF-8, decoding fails (400)
    { raw: '%E0%A4%A', unstorable: false },
    { raw: '%', unstorable: false },
    { raw: '%%', unstorable: false },
    { raw: '%FF', unstorable: false },
    { raw: '..', unstorable: false },
    { raw: '%2e%2e', unstorable: false },
    { raw: '%2F', unstorable: false },
    { raw: 'null', unstorable: false },
    { raw: '0', unstorable: false },
    { raw: '-1', unstorable: false },
    { raw: '1e309', unstorable: false },
    { raw: '2147483648', unstorable: false },
    { raw: '9007199254740993', unstorable: false },
    { raw: '00000000-0000-0000-0000-000000000000', unstorable: false },
    { raw: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', unstorable: false },
    { raw: '%7B00000000-0000-4000-8000-000000000000%7D', unstorable: false },
    { raw: '%E4%B8%AD%E6%96%87', unstorable: false },
    { raw: '%F0%9F%99%82', unstorable: false },
    { raw: '0000Q1', unstorable: false },
    { raw: '9999Q4', unstorable: false },
    { raw: 'fund:%00:available', unstorable: true },
  ),
  fc.integer({ min: 100, max: 6000 }).map((n) => ({ raw: 'a'.repeat(n), unstorable: false })),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((s) => ({ raw: encodeURIComponent(s), unstorable: false })),
);

/** Extra query text appended to a URL: unknown keys, repeated keys, odd values; `unstorable` as above. */
export const hostileQuery: fc.Arbitrary<{ raw: string; unstorable: boolean }> = fc.oneof(
  fc.constantFrom(
    { raw: '%00=1', unstorable: true },
    { raw: 'x=%00', unstorable: true },
    { raw: 'page=0', unstorable: false },
    { raw: 'page=-1', unstorable: false },
    { raw: 'page=1e309', unstorable: false },
    { raw: 'page=NaN', unstorable: false },
    { raw: 'page=0x10', unstorable: false },
    { raw: 'page=9007199254740993', unstorable: false },
    { raw: 'page=1&page=2', unstorable: false },
    { raw: 'pageSize=1000000', unstorable: false },
    { raw: 'after=99999999999', unstorable: false },
    { raw: 'limit=-5', unstorable: false },
    { raw: 'a[b]=1', unstorable: false },
    { raw: '__proto__=x', unstorable: false },
    { raw: 'constructor=x', unstorable: false },
    { raw: 'from=0000-01-01', unstorable: false },
    { raw: 'to=9999-12-31', unstorable: false },
    { raw: 'asOf=2027-02-29', unstorable: false },
    { raw: 'quarter=0000Q1', unstorable: false },
    { raw: 'year=99999999999', unstorable: false },
    { raw: 'status=%ED%A0%80', unstorable: false },
    { raw: '=', unstorable: false },
    { raw: '&&&', unstorable: false },
    { raw: 'format=csv', unstorable: false },
  ),
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1000, max: 12_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 16_000, max: 20_000 }) }, // past 16 KB: Node's own 431
  ).map((n) => ({ raw: `q=${'z'.repeat(n)}`, unstorable: false })),
  fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([k, v]) => ({ raw: `${encodeURIComponent(k)}=${encodeURIComponent(v)}`, unstorable: false })),
);

/** Header values Node's HTTP client will send (Latin-1, no control characters but tab). */
const headerText = (s: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s);

export const hostileIdempotencyKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'has space', 'a'.repeat(201), 'é', 'key\t', '../x', 'k;k', '"quoted"', 'k,k'),
  fc.string({ unit: 'binary-ascii', maxLength: 30 }).filter(headerText),
);

export const hostileContentType: fc.Arbitrary<string> = fc.constantFrom(
  'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; charset=UTF-16LE', 'application/json; charset=utf8',
  'application/json; charset=ascii', 'application/json; charset=""', 'application/json;;', 'application/JSON', 'application/json; boundary=x',
  'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=', '', '*/*', 'application/*',
  'application/json, text/plain', 'application/json; charset=utf-8; charset=latin1', 'application/vnd.api+json', 'text/csv',
);

export const hostileContentEncoding: fc.Arbitrary<string> = fc.constantFrom('gzip', 'deflate', 'br', 'x-rot13', 'gzip, gzip', 'identity, gzip', 'GZIP', '', 'compress', 'zstd');
