// Every lru-cache major, CommonJS and ESM, under -r, --import and NODE_OPTIONS: the app's stdout and exit code are
// byte-identical to a run without the agent, and the JSON report lists the cache with the right library, version,
// tracked and dead keys.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LRU_VERSIONS, lruApp, placeScript, readReport, runNode, versionOf } from '../helpers/apps';
import { assertValidReport } from '../helpers/schema';
import { registerHooksUsable } from '../../src/hooks/lines';

const LOADERS = [
  { name: '-r', args: ['-r', 'leak-agent'], env: {} },
  { name: '--import', args: ['--import', 'leak-agent'], env: {} },
  { name: 'NODE_OPTIONS', args: [], env: { NODE_OPTIONS: '-r leak-agent' } },
] as const;

describe.each(LRU_VERSIONS)('lru-cache %s', (alias) => {
  const app = lruApp(alias);
  const version = versionOf(join(app, 'node_modules', 'lru-cache'));

  describe.each(['lru-basic.cjs', 'lru-basic.mjs'])('%s', (script) => {
    placeScript(app, script);
    const plain = runNode(app, [script]);

    it.each(LOADERS)('under $name: same stdout and exit code; report lists the cache', (loader) => {
      expect(plain.status).toBe(0);
      const file = join(app, `report-${alias}-${script}-${loader.name}.json`);
      const run = runNode(app, [...loader.args, script], { ...loader.env, LEAK_AGENT_REPORT_FILE: file });
      expect(run.stdout).toBe(plain.stdout);
      expect(run.status).toBe(plain.status);
      const report = readReport(file);
      assertValidReport(report);
      expect(report.schema).toBe('leak-agent.report/v1');
      expect(report.trigger).toBe('exit');
      expect(report.caches).toHaveLength(1);
      const [cache] = report.caches;
      expect(cache).toMatchObject({
        library: 'lru-cache',
        libraryVersion: version,
        trackedKeys: 15,
        deadKeys: 10,
        verified: true,
        classes: [{ name: 'Dead', count: 10 }],
        options: { max: 100 },
      });
      expect(cache.example.insertedAt.file).toBe(script);
      expect(run.stderr).toContain('leak-agent: 1 cache keeps 10 otherwise-dead objects alive');
      // The creation site is the `new LRU(…)` line (6) where lru-cache's own constructor can report it: every
      // unminified build, through either module hook (Node 20's CommonJS hook; the in-thread hook for CommonJS and
      // ES modules); 11.2+'s default builds are minified and import-in-the-middle (Node 20's ES modules) cannot edit a
      // file, so there it is the first write (line 10, or 9 in the .mjs).
      const minified = alias === 'lru11' || alias === 'lru11-2'; // 11.2+ point their default entries at index.min.js
      const commonJsOnly = alias === 'lru4' || alias === 'lru5' || alias === 'lru6';
      const editable = !minified && (script.endsWith('.cjs') || commonJsOnly || registerHooksUsable());
      expect(cache.createdAt).toMatchObject({ file: script, line: editable ? 6 : script.endsWith('.cjs') ? 10 : 9 });
      expect(cache.name).toBe('cache');
    });
  });
});
