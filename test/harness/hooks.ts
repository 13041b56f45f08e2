/** Mocha root hooks: the shared dev server is stopped after the whole run. */
import { stopEnv } from './env';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await stopEnv();
  },
};
