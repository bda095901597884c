// `node dist/heap/analyse-child.js <file.heapsnapshot> <meta.json>`: parse and analyse a heap snapshot in a process of
// its own, so the app's heap and RSS stay flat, and print the AnalysisResult as JSON on stdout ({ "error": … } and
// exit 1 on failure).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { analyseSnapshot } from './analyse';
import type { ProbeMeta } from './protocol';
import { readSnapshot } from './read';

function main(): void {
  const [file, metaFile] = process.argv.slice(2);
  try {
    if (!file || !metaFile) throw new Error('usage: analyse-child <file.heapsnapshot> <meta.json>');
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ProbeMeta;
    const t0 = performance.now();
    const snap = readSnapshot(file);
    const t1 = performance.now();
    const result = analyseSnapshot(snap, meta);
    result.timings = { read: Math.round(t1 - t0), ...result.timings };
    process.stdout.write(JSON.stringify(result));
  } catch (err) {
    process.stdout.write(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
    process.exitCode = 1;
  }
}

main();
