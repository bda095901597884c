// Fix 2: a WeakMap cache (lodash supports any cache with get/set/has/delete).
const memoize = require('lodash/memoize');

class Document {
  constructor(id, text) {
    this.id = id;
    this.text = text;
  }
}

Document.prototype.wordCount = memoize(
  function wordCount() {
    return this.text.split(/\s+/).length;
  },
  function cacheKey() {
    return this;
  },
);
Document.prototype.wordCount.cache = new WeakMap();

module.exports = { Document }; // as the module of a real app would

function handle(id) {
  const doc = new Document(id, 'lorem ipsum dolor sit amet '.repeat(2000));
  return doc.wordCount();
}

const requests = Number(process.argv[2] ?? 100);
let words = 0;
for (let id = 0; id < requests; id++) words += handle(id);
console.log(`handled ${requests} requests, ${words} words`);
