// npx mocha examples/test-runners/mocha.test.cjs
// expectNoCacheLeaks with Mocha.
const assert = require('node:assert');
// leak-agent first: libraries loaded after it are instrumented (or preload it with -r leak-agent).
const { expectNoCacheLeaks } = require('leak-agent');
const { LRUCache } = require('lru-cache');

class Request {
  constructor(path) {
    this.path = path;
  }
}

const responses = new LRUCache({ max: 100 });

describe('response cache', () => {
  it('keyed by the request object, it keeps every request alive', async () => {
    await assert.rejects(
      expectNoCacheLeaks(() => {
        for (const path of ['/a', '/b']) responses.set(new Request(path), 'ok');
      }),
      (err) => err.name === 'CacheLeakError' && /2 × Request dead/.test(err.message),
    );
  });

  it('keyed by the path, it does not', async () => {
    await expectNoCacheLeaks(() => {
      for (const path of ['/a', '/b']) responses.set(new Request(path).path, 'ok');
    });
  });
});
