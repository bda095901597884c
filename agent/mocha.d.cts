// leak-agent/mocha: a Mocha root hook plugin (`mocha --require leak-agent/mocha`). To combine it with hooks of your
// own in a plugin of yours, spread it: `exports.mochaHooks = { ...require('leak-agent/mocha').mochaHooks, … }` (keep
// its beforeAll: it plans the per-file verdicts).
export declare const mochaHooks: {
  /** Runs once per root suite (once per run; once per file with --parallel). */
  beforeAll(this: unknown): void;
};
