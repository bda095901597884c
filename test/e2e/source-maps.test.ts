// A TypeScript app built with source maps: createdAt, example.insertedAt and names come from the .ts lines, with
// source-map-support's mapping (no flag) and with Node's own --enable-source-maps.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, makeApp, placeDir, readReport, runNode } from '../helpers/apps';

const app = makeApp('ts-app', { 'lodash.memoize': 'lodash.memoize' });
placeDir(app, 'ts-app');
// `import memoize = require(...)` needs no @types: declare the module inline for the build.
const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { encoding: 'utf8' });

describe('TypeScript built with source maps', () => {
  it('builds', () => {
    expect(tsc.stdout + tsc.stderr).not.toMatch(/error TS(?!7016)/);
  });

  it.each([[[]], [['--enable-source-maps']]])('node %j: locations are the .ts lines', (flags) => {
    const file = join(app, `ts-${flags.length}.json`);
    const run = runNode(app, [...flags, '-r', 'leak-agent', 'dist/main.js'], { LEAK_AGENT_REPORT_FILE: file });
    expect(run.status).toBe(0);
    const caches = readReport(file).caches;
    const cache = caches.find((c: any) => c.createdAt?.file === 'src/view.ts')!;
    expect(cache).toMatchObject({ library: 'lodash.memoize', name: 'getView', deadKeys: 6, trackedKeys: 8 });
    expect(cache.createdAt).toMatchObject({ file: 'src/view.ts', line: 13 });
    expect(cache.example.insertedAt).toMatchObject({ file: 'src/main.ts', line: 10, function: 'render' });
    // An arrow memoized through an ES import: the name is read from the .ts line the map leads to.
    const price = caches.find((c: any) => c.createdAt?.file === 'src/price.ts')!;
    expect(price).toMatchObject({ library: 'lodash.memoize', name: 'priceOf', deadKeys: 2, trackedKeys: 3 });
    expect(price.createdAt).toMatchObject({ line: 6 });
  });
});
