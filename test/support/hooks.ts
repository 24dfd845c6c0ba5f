import { stopTestEnv, testEnv } from './env';

/**
 * Whether any loaded test file (directly or through a helper) imports the shared environment:
 * mocha has loaded every file before the root hooks run. `npm run test:unit` loads none, and
 * starts no server.
 */
function someFileUsesTheEnvironment(): boolean {
  const env = require.cache[require.resolve('./env')];
  return Object.values(require.cache).some((m) => m !== undefined && m !== module && env !== undefined && (m.children ?? []).includes(env));
}

/** Mocha root hooks: the shared servers start before the first file and stop after the last one. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    // Each server's start has its own, shorter bound; this one only guards against the unforeseen.
    this.timeout(5 * 60_000);
    // A failure here fails this root hook with the one line naming the service, and mocha then
    // runs no test at all: the run ends at once rather than every file failing in turn.
    if (someFileUsesTheEnvironment()) await testEnv();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestEnv();
  },
};
