// npm run demo: run the task-runner example under the agent, then its fixed twin.
// The fixed twin holds no object key in any cache, so its exit report is silent (a process with nothing to judge
// says nothing at exit); the demo asks it for the JSON report as well and prints what that report checked.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const agent = join(root, 'agent', 'index.cjs');
const runs = [
  { title: 'leaky', script: 'examples/task-runner/app.cjs' },
  { title: 'fixed', script: 'examples/task-runner/app-fixed.cjs', json: true },
];
let status = 0;
for (const run of runs) {
  process.stdout.write(`\n$ node --expose-gc -r leak-agent ${run.script}   # ${run.title}\n`);
  const dir = run.json ? mkdtempSync(join(tmpdir(), 'leak-agent-demo-')) : null;
  try {
    const env = { ...process.env };
    if (dir) env.LEAK_AGENT_REPORT_FILE = join(dir, 'report.json');
    const r = spawnSync(process.execPath, ['--expose-gc', '-r', agent, join(root, run.script)], { stdio: 'inherit', cwd: root, env });
    if (r.status !== 0) status = r.status ?? 1;
    if (dir) {
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
      const tracked = report.caches.reduce((n, c) => n + c.trackedKeys, 0);
      process.stdout.write(
        `demo: the fixed twin's exit report (JSON): ${report.caches.length} caches holding object keys, ${tracked} tracked keys, ` +
          `${report.summary.deadKeys} dead: the summary now lives on each task's data, so no cache keeps a task alive.\n`,
      );
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
process.exitCode = status;
