// node --test examples/test-runners/node-test.test.cjs
// expectNoCacheLeaks with Node's built-in test runner: the first test leaks into a memoizer, the second does not.
const { test } = require('node:test');
const assert = require('node:assert');
// leak-agent first: libraries loaded after it are instrumented (or preload it with -r leak-agent).
const { expectNoCacheLeaks } = require('leak-agent');
const memoize = require('lodash.memoize');

class Customer {
  constructor(id) {
    this.id = id;
  }
}

const byInstance = memoize((customer) => `customer-${customer.id}`);
const byId = memoize((customer) => `customer-${customer.id}`, (customer) => customer.id);

test('a memoizer keyed by instance leaks', async () => {
  await assert.rejects(
    expectNoCacheLeaks(() => {
      for (let i = 0; i < 3; i++) byInstance(new Customer(i));
    }),
    (err) => err.name === 'CacheLeakError' && /3 × Customer dead/.test(err.message) && err.report.summary.deadKeys === 3,
  );
});

test('the same memoizer keyed by id does not', async () => {
  await expectNoCacheLeaks(() => {
    for (let i = 0; i < 3; i++) byId(new Customer(i));
  });
});
