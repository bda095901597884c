// Fix 2: key the shared cache by the task id; the cached summary does not reference the data.
const { LRUCache } = require('lru-cache');

const summaries = new LRUCache({ max: 128 });

class TaskData {
  constructor(id) {
    this.id = id;
    this.samples = new Array(64 * 1024).fill(id + 0.5); // 512 KiB of doubles
  }

  get summary() {
    let summary = summaries.get(this.id);
    if (summary === undefined) {
      summary = { mean: this.samples.reduce((a, b) => a + b, 0) / this.samples.length };
      summaries.set(this.id, summary);
    }
    return summary;
  }
}

module.exports = { TaskData }; // as the module of a real app would

function runTask(id) {
  const data = new TaskData(id);
  return data.summary.mean;
}

const tasks = Number(process.argv[2] ?? 400);
let total = 0;
for (let id = 0; id < tasks; id++) {
  total += runTask(id);
  if (id % 50 === 49) {
    globalThis.gc?.(); // with --expose-gc (npm run demo): show live memory, not garbage
    console.log(`after ${id + 1} tasks: heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  }
}
console.log(`done: ${tasks} tasks, total ${total}`);
