/**
 * fast-check arbitraries for the JSON Schemas of an OpenAPI 3.1 document: values the schema
 * allows, biased towards what the business would send (real ids, real dates, plausible amounts)
 * through hints keyed by property name. Rules a schema cannot say (a refine, a cross-field rule)
 * are not followed, so some "valid" values are refused: that is fine, the fuzzer only needs many
 * of them to get past the schema.
 *
 * Written here rather than taken from a library: the JSON-Schema and zod bridges to fast-check on
 * the registry target fast-check 1–3 or zod 3, and this project has fast-check 4 and zod 4.
 */
import fc from 'fast-check';

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  description?: string;
};

/** Arbitraries for property names whose plausible values a schema cannot describe. */
export type Hints = Record<string, fc.Arbitrary<unknown> | undefined>;

export class SchemaArbitraries {
  constructor(
    private readonly components: Record<string, JsonSchema>,
    private readonly hints: Hints = {},
  ) {}

  /** The same schemas with other hints. */
  withHints(hints: Hints): SchemaArbitraries {
    return new SchemaArbitraries(this.components, hints);
  }

  resolve(s: JsonSchema): JsonSchema {
    let cur = s;
    for (let i = 0; cur.$ref && i < 20; i++) {
      const name = cur.$ref.replace('#/components/schemas/', '');
      const target = this.components[name];
      if (!target) throw new Error(`unresolved $ref ${cur.$ref}`);
      cur = { ...target, ...Object.fromEntries(Object.entries(cur).filter(([k]) => k !== '$ref')) };
    }
    return cur;
  }

  /** Built once per schema and property name: building arbitraries costs more than drawing from them. */
  private readonly cache = new Map<JsonSchema, Map<string, fc.Arbitrary<unknown>>>();

  /** A value the schema allows; `name` is the property it is for (for hints). */
  valueFor(schema: JsonSchema, name?: string): fc.Arbitrary<unknown> {
    let byName = this.cache.get(schema);
    if (!byName) this.cache.set(schema, (byName = new Map()));
    let arb = byName.get(name ?? '');
    if (!arb) byName.set(name ?? '', (arb = this.build(schema, name)));
    return arb;
  }

  private build(schema: JsonSchema, name?: string): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    const hint = name ? this.hints[name] : undefined;
    const plain = this.plain(s, name);
    return hint ? fc.oneof({ weight: 4, arbitrary: hint }, { weight: 1, arbitrary: plain }) : plain;
  }

  private plain(s: JsonSchema, name?: string): fc.Arbitrary<unknown> {
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives) return fc.oneof(...alternatives.map((a) => this.valueFor(a, name)));
    if (s.allOf) return this.valueFor(Object.assign({}, ...s.allOf.map((x) => this.resolve(x))), name);
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : ['object'];
    if (types.length > 1) return fc.oneof(...types.map((t) => this.plain({ ...s, type: t }, name)));
    switch (types[0]) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
      case 'number': {
        const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000);
        const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : Math.max(min, 0) + 1000);
        // Mostly small, as a person would send, with the bounds themselves now and then.
        const small = fc.integer({ min, max: Math.min(max, Math.max(min, 0) + 60) });
        return fc.oneof({ weight: 6, arbitrary: small }, { weight: 1, arbitrary: fc.constantFrom(min, max) }, { weight: 1, arbitrary: fc.integer({ min, max }) });
      }
      case 'string':
        return this.string(s);
      case 'array': {
        const item = s.items ? this.valueFor(s.items) : fc.constant('x');
        return fc.array(item, { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
      }
      case 'object':
      default: {
        const props = s.properties ?? {};
        const model: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) model[k] = this.valueFor(v, k);
        return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
      }
    }
  }

  private string(s: JsonSchema): fc.Arbitrary<string> {
    if (s.format === 'uuid') return fc.uuid();
    const maxLength = Math.min(s.maxLength ?? 40, 40);
    const minLength = Math.min(s.minLength ?? 0, maxLength);
    if (s.pattern) {
      const re = new RegExp(s.pattern);
      return fc.stringMatching(re).filter((x) => x.length <= (s.maxLength ?? Infinity) && x.length >= (s.minLength ?? 0));
    }
    return fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength, maxLength }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength }) },
    );
  }
}
