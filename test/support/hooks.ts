import { stopTestEnv } from './env';

/** Mocha root hooks: the shared servers outlive single files and stop after the last one. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestEnv();
  },
};
