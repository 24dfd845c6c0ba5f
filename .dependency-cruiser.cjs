/**
 * The layers' import rules (docs/adr/0002-use-cases.md), checked by test/foundation/layers.test.ts
 * as part of `npm test`. dependency-cruiser reads the TypeScript through swc (the TypeScript
 * compiler API is not in TypeScript 7), type-only imports included.
 */

/** A module under `from` may import nothing under `to` (paths are regular expressions). */
const forbid = (name, comment, from, to) => ({ name, severity: 'error', comment, from, to: { path: to } });
const KNEX = '^node_modules/(knex|pg|pg-copy-streams)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module may import itself back through others: a cycle makes load order matter.',
      from: {},
      to: { circular: true },
    },
    forbid('routes-use-cases-only', 'A route is a spec plus a call to a use case: no knex, no SQL, nothing of db/.', { path: '^api/routes/' }, ['^db/', KNEX, '^activities/']),
    forbid('activities-no-knex', 'An activity wraps a use case (or a repository): it holds no query and no transaction.', { path: '^activities/' }, [KNEX, '^db/(knex|functions)\\.ts$']),
    forbid('use-cases-below-the-api', 'Use cases serve the API, the worker and the CLI alike: they import none of them.', { path: '^usecases/' }, ['^api/', '^activities/', '^scripts/']),
    forbid('records-below-use-cases', 'db/ holds the records and their SQL; the use cases call it, never the reverse.', { path: '^db/' }, ['^usecases/', '^api/', '^activities/', '^workflows/']),
    forbid('domain-is-pure', 'domain/ is pure rules (workflows import it): no I/O, no other layer.', { path: '^domain/' }, [
      '^db/', '^usecases/', '^api/', '^activities/', '^workflows/', '^scripts/', '^node_modules/(knex|pg|@temporalio/client)/',
    ]),
    forbid(
      'fast-path-behind-its-door',
      'The statement import fast path is reached through db/reconciliation/fastpath/index.ts only (docs/reconciliation.md).',
      { pathNot: '^db/reconciliation/fastpath/' },
      '^db/reconciliation/fastpath/(?!index\\.ts$)',
    ),
  ],
  options: {
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^\\.tools', '^\\.data', '^web/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
