// How the agent sees modules load, on the Node line running the suite (test/matrix.cjs runs it on each line):
// one in-thread module.registerHooks load hook where Node has a usable one (22.22.3+, 24.11.1+, 26), else a
// Module.prototype._compile hook plus import-in-the-middle through module.register, registered only once an ES
// module can load.
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerHooksUsable } from '../../src/hooks/lines';
import { ROOT, makeApp, placeScript, readReport, runNode } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';

const SYNC_HOOKS = registerHooksUsable();
const LINE = `Node ${process.versions.node} (${SYNC_HOOKS ? 'registerHooks' : 'module.register'})`;

const app = makeApp('module-hooks', {
  'lru-cache': 'lru11',
  lodash: 'lodash',
  'lodash-es': 'lodash-es',
  'lodash.memoize': 'lodash.memoize',
  memoizee: 'memoizee',
});

/** `caches` of the JSON report a run wrote, as "library:Class" strings. */
function cachesIn(file: string): string[] {
  const report = readReport(file);
  assertValidReport(report);
  return report.caches.map((c: any) => `${c.library}:${c.classes.map((k: any) => k.name).join('+')}`).sort();
}

let reportCount = 0;
function reportFile(): string {
  const dir = join(app, 'reports');
  mkdirSync(dir, { recursive: true });
  return join(dir, `r${++reportCount}.json`);
}

// One lru-cache key only the cache holds, through whichever module system the snippet uses.
const FILL = "class Key {}; globalThis.kept = c; c.set(new Key(), 1); console.log('size', c.size);";

describe(`-e and -p under -r (${LINE})`, () => {
  it.each([
    ['-e, require', ['-e', `const { LRUCache } = require('lru-cache'); const c = new LRUCache({ max: 5 }); ${FILL}`]],
    ['-e, import()', ['-e', `import('lru-cache').then(({ LRUCache }) => { const c = new LRUCache({ max: 5 }); ${FILL} })`]],
    ['-e, --input-type=module', ['--input-type=module', '-e', `import { LRUCache } from 'lru-cache'; const c = new LRUCache({ max: 5 }); ${FILL}`]],
    ['-p, require', ['-p', `const { LRUCache } = require('lru-cache'); const c = globalThis.kept = new LRUCache({ max: 5 }); c.set(new (class Key {})(), 1); c.size`]],
  ])('%s: same output, and the cache is instrumented', (_label, args) => {
    const plain = runNode(app, args);
    expect(plain.status).toBe(0);
    const file = reportFile();
    const run = runNode(app, ['-r', 'leak-agent', ...args], { LEAK_AGENT_REPORT_FILE: file });
    expect(run.stdout).toBe(plain.stdout);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/ENOENT|internal error|Warning/);
    expect(cachesIn(file)).toEqual(['lru-cache:Key']);
  });

  it('-e 0 and -p 1 print exactly what they print without the agent', () => {
    for (const args of [['-e', '0'], ['-p', '1']]) {
      const plain = runNode(app, args);
      const run = runNode(app, ['-r', 'leak-agent', ...args]);
      expect({ ...run, signal: null }).toEqual({ ...plain, signal: null });
    }
  });
});

describe(`start-up (${LINE})`, () => {
  it('loads no report machinery (verify, report, heap, integrations), no adapter and no import hook it does not need', () => {
    const listLoaded = "process.on('exit', () => console.log(Object.keys(require.cache).filter((k) => k.includes('/dist/')).map((k) => k.slice(k.lastIndexOf('/dist/') + 6)).sort().join(' ')))";
    const run = runNode(app, ['-r', 'leak-agent', '-e', listLoaded]);
    expect(run.status).toBe(0);
    const loaded = run.stdout.trim().split(' ');
    expect(loaded).toContain('start.js');
    expect(loaded).toContain(SYNC_HOOKS ? 'hooks/load-hook.js' : 'hooks/compile-hook.js');
    expect(loaded.filter((f) => /^(?:verify|report|heap|integrations|adapters|source|track\/registry|trigger\/run)\b/.test(f))).toEqual([]);
    // module.register (and import-in-the-middle) only once an ES module can load, and never with registerHooks.
    expect(loaded).not.toContain('hooks/esm.js');
  });
});

describe(`installed as a real package (${LINE})`, () => {
  // Elsewhere the suite's apps link node_modules/leak-agent to this repository, which Node resolves to a path outside
  // node_modules. Installed, the agent's own files sit in node_modules and pass through its own hooks too.
  const installed = makeApp('installed', { 'lru-cache': 'lru11', 'lodash-es': 'lodash-es', memoizee: 'memoizee' });
  const target = join(installed, 'node_modules', 'leak-agent');
  rmSync(target, { recursive: true, force: true });
  for (const part of ['agent', 'dist', 'schema', 'package.json']) cpSync(join(ROOT, part), join(target, part), { recursive: true });
  placeScript(
    installed,
    'app.cjs',
    `const { LRUCache } = require('lru-cache');
const memoizee = require('memoizee');
class InstalledLru {}
class InstalledMemoizee {}
class InstalledLodashEs {}
const c = new LRUCache({ max: 5 });
const m = memoizee((o) => typeof o);
c.set(new InstalledLru(), 1);
m(new InstalledMemoizee());
import('lodash-es/memoize.js').then(({ default: memoize }) => {
  const l = memoize((o) => typeof o);
  l(new InstalledLodashEs());
  module.exports = { c, m, l };
  console.log('done');
});
`,
  );

  it.each([['-r'], ['--import']])('under %s: no internal error, every library instrumented', (flag) => {
    const file = join(installed, `installed${flag}.json`);
    const run = runNode(installed, [flag, 'leak-agent', 'app.cjs'], { LEAK_AGENT_REPORT_FILE: file, DEBUG: 'leak-agent:hooks' });
    expect(run.stdout).toBe('done\n');
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.stderr).toMatch(/ignoring leak-agent|leak-agent\/dist\/.*not a supported package|not a file the agent patches/);
    expect(cachesIn(file)).toEqual(['lodash-es:InstalledLodashEs', 'lru-cache:InstalledLru', 'memoizee:InstalledMemoizee']);
  });
});

describe(`source maps (${LINE})`, () => {
  // Code is only appended to a library file, so lru-cache's own source map (src/index.ts) still maps its frames.
  placeScript(
    app,
    'lru-error.mjs',
    `import { LRUCache } from 'lru-cache';
setImmediate(() => {
  try {
    new LRUCache({});
  } catch (err) {
    console.log(err.stack.split('\\n').slice(0, 3).join('\\n'));
  }
});
`,
  );
  placeScript(app, 'lru-error.cjs', "const { LRUCache } = require('lru-cache');\nsetImmediate(() => { try { new LRUCache({}); } catch (err) { console.log(err.stack.split('\\n').slice(0, 3).join('\\n')); } });\n");

  it.each([
    ['lru-error.mjs', '--import'],
    ['lru-error.mjs', '-r'],
    ['lru-error.cjs', '-r'],
  ])('%s under %s with --enable-source-maps: the library error’s stack is the same', (script, flag) => {
    const plain = runNode(app, ['--enable-source-maps', script]);
    expect(plain.stdout).toMatch(/TypeError: At least one of max, maxSize, or ttl is required\n +at new \w+ \(.*src\/index\.ts:\d+:\d+\)/);
    const run = runNode(app, ['--enable-source-maps', flag, 'leak-agent', script]);
    expect(run.stdout).toBe(plain.stdout);
  });
});

describe(`worker threads (${LINE})`, () => {
  const WORKERS = `// Two workers one after the other, each with a CommonJS entry: their thread ids.
const { Worker, isMainThread, parentPort, threadId } = require('node:worker_threads');
if (isMainThread) {
  new Worker(__filename).once('message', (a) => {
    new Worker(__filename).once('message', (b) => console.log('worker thread ids', a, b));
  });
} else {
  parentPort.postMessage(threadId);
}
`;
  placeScript(app, 'thread-ids.cjs', WORKERS);

  it.each([
    ['-r', ['-r', 'leak-agent'], {}],
    ['NODE_OPTIONS', [], { NODE_OPTIONS: '-r leak-agent' }],
  ])('under %s, a CommonJS app gets the same worker threadIds as without the agent (no hooks thread)', (_label, args, env) => {
    const plain = runNode(app, ['thread-ids.cjs']);
    expect(plain.stdout).toBe('worker thread ids 1 2\n');
    const run = runNode(app, [...args, 'thread-ids.cjs'], { ...env, DEBUG: 'leak-agent:hooks' });
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stderr).not.toMatch(/import hook registered/);
  });

  it('a worker with an ES module entry has its imports instrumented', () => {
    placeScript(
      app,
      'esm-worker.cjs',
      `const { Worker } = require('node:worker_threads');
new Worker(require('node:path').join(__dirname, 'esm-worker-entry.mjs')).on('exit', () => console.log('worker done'));
`,
    );
    placeScript(
      app,
      'esm-worker-entry.mjs',
      `import { LRUCache } from 'lru-cache';
import memoize from 'lodash-es/memoize.js';
class WorkerLru {}
class WorkerLodash {}
export const c = new LRUCache({ max: 5 });
c.set(new WorkerLru(), 1);
export const m = memoize((o) => typeof o);
m(new WorkerLodash());
`,
    );
    const dir = join(app, 'reports-esm-worker');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const run = runNode(app, ['-r', 'leak-agent', 'esm-worker.cjs'], { LEAK_AGENT_REPORT_FILE: join(dir, 'r-%p-%t.json') });
    expect(run.stdout).toBe('worker done\n');
    // r-<pid>-0.json is the main thread's; the other one the worker's.
    const workerFile = readdirSync(dir).find((f) => !f.endsWith('-0.json'));
    expect(workerFile).toBeDefined();
    const report = JSON.parse(readFileSync(join(dir, workerFile!), 'utf8'));
    assertValidReport(report);
    expect(report.caches.map((c: any) => `${c.library}:${c.classes[0].name}`).sort()).toEqual(['lodash-es:WorkerLodash', 'lru-cache:WorkerLru']);
  });
});

describe(`ES modules reached from a CommonJS app under -r (${LINE})`, () => {
  placeScript(
    app,
    'cjs-dynamic.cjs',
    `// A CommonJS app whose ES module libraries arrive through import(): directly, and from a helper module.
const { loadLodashEs } = require('./cjs-dynamic-helper.cjs');
class DynLru {}
class DynLodashEs {}
async function main() {
  const { LRUCache } = await import('lru-cache');
  const c = new LRUCache({ max: 5 });
  c.set(new DynLru(), 1);
  const memoize = await loadLodashEs();
  const m = memoize((o) => typeof o);
  m(new DynLodashEs());
  module.exports = { c, m };
  console.log('done');
}
main();
`,
  );
  placeScript(app, 'cjs-dynamic-helper.cjs', "exports.loadLodashEs = () => import('lodash-es/memoize.js').then((m) => m.default);\n");

  it('import() in the entry and in a required module: both libraries instrumented', () => {
    const plain = runNode(app, ['cjs-dynamic.cjs']);
    const file = reportFile();
    const run = runNode(app, ['-r', 'leak-agent', 'cjs-dynamic.cjs'], { LEAK_AGENT_REPORT_FILE: file, DEBUG: 'leak-agent:hooks' });
    expect(run.stdout).toBe(plain.stdout);
    expect(cachesIn(file)).toEqual(['lodash-es:DynLodashEs', 'lru-cache:DynLru']);
    if (SYNC_HOOKS) {
      expect(run.stderr).toContain('load hook registered (module.registerHooks');
      expect(run.stderr).not.toContain('module.register,');
    } else {
      // Registered lazily, before the first CommonJS file that can import() runs.
      expect(run.stderr).toMatch(/import hook deferred[^]*import hook registered \(module\.register, import-in-the-middle\): \S*cjs-dynamic\.cjs may import/);
    }
  });

  it('an entry .js with module syntax in a package without "type" (Node detects it as an ES module)', () => {
    placeScript(app, 'detected/package.json', '{}\n');
    placeScript(
      app,
      'detected/main.js',
      `import { LRUCache } from 'lru-cache';
class Detected {}
export const c = new LRUCache({ max: 5 });
c.set(new Detected(), 1);
console.log(c.size);
`,
    );
    const plain = runNode(app, ['detected/main.js']);
    const file = reportFile();
    const run = runNode(app, ['-r', 'leak-agent', 'detected/main.js'], { LEAK_AGENT_REPORT_FILE: file });
    expect(run.stdout).toBe(plain.stdout);
    expect(run.status).toBe(plain.status);
    expect(cachesIn(file)).toEqual(['lru-cache:Detected']);
  });

  it('require(esm): an ES module required from CommonJS', () => {
    placeScript(
      app,
      'require-esm.cjs',
      `const memoize = require('lodash-es/memoize.js').default;
class ReqEsm {}
const m = memoize((o) => typeof o);
m(new ReqEsm());
module.exports = { m };
console.log(typeof m);
`,
    );
    const plain = runNode(app, ['require-esm.cjs']);
    const file = reportFile();
    const run = runNode(app, ['-r', 'leak-agent', 'require-esm.cjs'], { LEAK_AGENT_REPORT_FILE: file });
    expect(run.stdout).toBe(plain.stdout);
    expect(run.status).toBe(plain.status);
    // Node 20's module.register hooks do not run for require(esm) (README: Node lines); registerHooks does.
    expect(cachesIn(file)).toEqual(SYNC_HOOKS ? ['lodash-es:ReqEsm'] : []);
  });
});

describe(`only the libraries' own files, and only supported versions (${LINE})`, () => {
  // A package nested in lru-cache's own node_modules (as a library's devDependencies are in its repository) is
  // another package: it must run exactly as without the agent. An export that changes later shows a wrapped module.
  const nested = join(app, 'node_modules', 'lru-cache', 'node_modules', 'live-binding');
  mkdirSync(nested, { recursive: true });
  writeFileSync(join(nested, 'package.json'), JSON.stringify({ name: 'live-binding', version: '1.0.0', type: 'module', exports: './index.js' }));
  writeFileSync(join(nested, 'index.js'), 'export let counter = 0;\nexport function inc() { counter++; }\n');
  // ...and one that looks like lru-cache from the inside (index.js, a class with set/get/peek/delete).
  writeFileSync(
    join(nested, 'lookalike.js'),
    'export class LRUCache { constructor() { this.m = new Map(); } set(k, v) { this.m.set(k, v); return this; } get(k) { return this.m.get(k); } peek(k) { return this.m.get(k); } delete(k) { return this.m.delete(k); } }\n',
  );
  mkdirSync(join(nested, 'dist'), { recursive: true });
  writeFileSync(join(nested, 'dist', 'index.js'), "export { LRUCache } from '../lookalike.js';\n");
  placeScript(
    app,
    'nested.mjs',
    `import { counter, inc } from './node_modules/lru-cache/node_modules/live-binding/index.js';
import { LRUCache } from './node_modules/lru-cache/node_modules/live-binding/dist/index.js';
inc();
inc();
class Nested {}
export const c = new LRUCache();
c.set(new Nested(), 1);
console.log('counter', counter);
`,
  );

  it.each([['-r'], ['--import']])('under %s a package nested in a library’s node_modules runs as without the agent', (flag) => {
    const plain = runNode(app, ['nested.mjs']);
    expect(plain.stdout).toBe('counter 2\n');
    const file = reportFile();
    const run = runNode(app, [flag, 'leak-agent', 'nested.mjs'], { LEAK_AGENT_REPORT_FILE: file });
    expect(run.stdout).toBe(plain.stdout);
    expect(cachesIn(file)).toEqual([]);
  });

  // Copies of real packages with another version in their package.json: the gate reads the version from there.
  const copyAs = (from: string, to: string, version: string): void => {
    const dir = join(app, 'node_modules', 'unsupported', 'node_modules', to);
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(ROOT, 'node_modules', from), dir, { recursive: true, dereference: true });
    const pkgFile = join(dir, 'package.json');
    writeFileSync(pkgFile, JSON.stringify({ ...JSON.parse(readFileSync(pkgFile, 'utf8')), version }));
  };
  copyAs('memoizee', 'memoizee', '0.3.10');
  copyAs('lru11', 'lru-cache', '12.0.0');
  copyAs('lodash', 'lodash', '3.10.1');
  writeFileSync(join(app, 'node_modules', 'unsupported', 'package.json'), JSON.stringify({ name: 'unsupported', version: '1.0.0' }));
  writeFileSync(
    join(app, 'node_modules', 'unsupported', 'index.js'),
    `// memoizee 0.3 (as inside tad's dependencies), an lru-cache major that does not exist yet, lodash 3.
const memoizee = require('memoizee');
const { LRUCache } = require('lru-cache');
const _ = require('lodash');
class Old {}
const m = memoizee((o) => typeof o);
const c = new LRUCache({ max: 5 });
const l = _.memoize((o) => typeof o);
module.exports = { m, c, l, run() { const k = new Old(); m(k); c.set(k, 1); l(k); return [m.length, c.size, l.cache.size]; } };
`,
  );
  placeScript(app, 'unsupported.cjs', "const u = require('unsupported');\nconsole.log(JSON.stringify(u.run()));\n");
  placeScript(app, 'unsupported.mjs', "import u from 'unsupported';\nimport { LRUCache } from './node_modules/unsupported/node_modules/lru-cache/dist/esm/index.js';\nnew LRUCache({ max: 1 }).set({}, 1);\nconsole.log(JSON.stringify(u.run()));\n");

  it.each([['unsupported.cjs'], ['unsupported.mjs']])('%s: unsupported versions are left alone, each with one DEBUG line saying why', (script) => {
    const plain = runNode(app, [script]);
    expect(plain.status).toBe(0);
    const file = reportFile();
    const run = runNode(app, ['-r', 'leak-agent', script], { LEAK_AGENT_REPORT_FILE: file, DEBUG: 'leak-agent:hooks' });
    expect(run.stdout).toBe(plain.stdout);
    expect(cachesIn(file)).toEqual([]);
    const skipped = run.stderr.split('\n').filter((l) => l.includes('version not supported'));
    expect(skipped.map((l) => /skipping (\S+ \S+)/.exec(l)?.[1]).sort()).toEqual(['lodash 3.10.1', 'lru-cache 12.0.0', 'memoizee 0.3.10']);
    expect(run.stderr).toContain('(supported: 0.4.x)');
    expect(run.stderr).toContain('(supported: >=4 <12)');
  });
});

describe(`another tool's module hooks (${LINE})`, () => {
  // A loader registered with module.register() by another tool: one that passes every request on, and one that
  // resolves and loads lru-cache itself (as ts-node's ESM loader does under tap 18+).
  placeScript(
    app,
    'loaders/pass.mjs',
    `export async function resolve(specifier, context, next) { return next(specifier, context); }
export async function load(url, context, next) { return next(url, context); }
`,
  );
  placeScript(
    app,
    'loaders/own.mjs',
    `import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const LRU = new URL('../node_modules/lru-cache/dist/esm/index.js', import.meta.url).href;
export async function resolve(specifier, context, next) {
  if (specifier === 'lru-cache') return { url: LRU, format: 'module', shortCircuit: true };
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url === LRU) return { format: 'module', source: readFileSync(fileURLToPath(url)), shortCircuit: true };
  return next(url, context);
}
`,
  );
  for (const name of ['pass', 'own']) {
    placeScript(app, `loaders/register-${name}.mjs`, `import { register } from 'node:module';\nregister('./${name}.mjs', import.meta.url);\n`);
  }
  placeScript(
    app,
    'with-loader.mjs',
    `import _ from 'lodash';
import memoize from 'lodash.memoize';
import memoizee from 'memoizee';
import { LRUCache } from 'lru-cache';
class ViaLodash {}
class ViaStandalone {}
class ViaMemoizee {}
class ViaLru {}
export const a = _.memoize((o) => typeof o);
export const b = memoize((o) => typeof o);
export const m = memoizee((o) => typeof o);
export const c = new LRUCache({ max: 5 });
a(new ViaLodash());
b(new ViaStandalone());
m(new ViaMemoizee());
c.set(new ViaLru(), 1);
console.log('done');
`,
  );

  // With such hooks loaded, Node gives the load hook no source for `import` of CommonJS: lodash's monolith and
  // lodash.memoize require nothing and are read by the agent itself; memoizee/plain.js is required by memoizee's
  // index.js and seen there. (lodash/memoize.js imported directly is not: README, Node lines.)
  it('a loader that passes requests on: CommonJS imported from ESM and lru-cache are instrumented', () => {
    const args = ['--import', './loaders/register-pass.mjs', 'with-loader.mjs'];
    const plain = runNode(app, ['--no-warnings', ...args]);
    const file = reportFile();
    const run = runNode(app, ['--no-warnings', '-r', 'leak-agent', ...args], { LEAK_AGENT_REPORT_FILE: file });
    expect(run.stdout).toBe(plain.stdout);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/internal error|TypeError/);
    expect(cachesIn(file)).toEqual(['lodash.memoize:ViaStandalone', 'lodash:ViaLodash', 'lru-cache:ViaLru', 'memoizee:ViaMemoizee']);
  });

  it('a loader that resolves and loads lru-cache itself: seen by registerHooks; on module.register lines a DEBUG line says why not', () => {
    const args = ['--import', './loaders/register-own.mjs', 'with-loader.mjs'];
    const plain = runNode(app, ['--no-warnings', ...args]);
    const file = reportFile();
    const run = runNode(app, ['--no-warnings', '-r', 'leak-agent', ...args], { LEAK_AGENT_REPORT_FILE: file, DEBUG: 'leak-agent:hooks' });
    expect(run.stdout).toBe(plain.stdout);
    expect(run.status).toBe(0);
    if (SYNC_HOOKS) {
      expect(cachesIn(file)).toContain('lru-cache:ViaLru');
    } else {
      expect(cachesIn(file)).not.toContain('lru-cache:ViaLru');
      expect(run.stderr).toMatch(/other module hooks are registered \(--import \.\/loaders\/register-own\.mjs\)/);
    }
  });
});
