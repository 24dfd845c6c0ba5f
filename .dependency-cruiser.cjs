/**
 * The layers' import rules (docs/adr/0002-use-cases.md), checked by test/foundation/layers.test.ts
 * as part of `npm test`. dependency-cruiser reads the TypeScript through swc (the TypeScript
 * compiler API is not in TypeScript 7), type-only imports included.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module may import itself back through others: a cycle makes load order matter.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'routes-use-cases-only',
      severity: 'error',
      comment: 'A route is a spec plus a call to a use case: no knex, no SQL, nothing of db/.',
      from: { path: '^api/routes/' },
      to: { path: ['^db/', '^node_modules/(knex|pg|pg-copy-streams)/', '^activities/'] },
    },
    {
      name: 'activities-no-knex',
      severity: 'error',
      comment: 'An activity wraps a use case (or a repository): it holds no query and no transaction.',
      from: { path: '^activities/' },
      to: { path: ['^node_modules/(knex|pg|pg-copy-streams)/', '^db/(knex|functions)\\.ts$'] },
    },
    {
      name: 'use-cases-below-the-api',
      severity: 'error',
      comment: 'Use cases serve the API, the worker and the CLI alike: they import none of them.',
      from: { path: '^usecases/' },
      to: { path: ['^api/', '^activities/', '^scripts/'] },
    },
    {
      name: 'records-below-use-cases',
      severity: 'error',
      comment: 'db/ holds the records and their SQL; the use cases call it, never the reverse.',
      from: { path: '^db/' },
      to: { path: ['^usecases/', '^api/', '^activities/', '^workflows/'] },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ is pure rules (workflows import it): no I/O, no other layer.',
      from: { path: '^domain/' },
      to: { path: ['^db/', '^usecases/', '^api/', '^activities/', '^workflows/', '^scripts/', '^node_modules/(knex|pg|@temporalio/client)/'] },
    },
    {
      name: 'fast-path-behind-its-door',
      severity: 'error',
      comment: 'The statement import fast path is reached through db/reconciliation/fastpath/index.ts only (docs/reconciliation.md).',
      from: { pathNot: '^db/reconciliation/fastpath/' },
      to: { path: '^db/reconciliation/fastpath/(?!index\\.ts$)' },
    },
  ],
  options: {
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^\\.tools', '^\\.data', '^web/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
