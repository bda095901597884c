// npm run demo: run the task-runner example under the agent, then its fixed twin.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const agent = join(__dirname, '..', 'agent', 'index.cjs');
const runs = [
  ['leaky: examples/task-runner/app.cjs', join(__dirname, 'task-runner', 'app.cjs')],
  ['fixed: examples/task-runner/app-fixed.cjs', join(__dirname, 'task-runner', 'app-fixed.cjs')],
];
let status = 0;
for (const [title, script] of runs) {
  process.stdout.write(`\n$ node --expose-gc -r leak-agent ${title.split(': ')[1]}   # ${title.split(':')[0]}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', agent, script], { stdio: 'inherit', cwd: join(__dirname, '..') });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exitCode = status;
