// `node dist/heap/analyse-child.js <file>`: parse and analyse a heap snapshot in a process of its own, so the app's
// heap and RSS stay flat, and print the AnalysisResult as JSON on stdout ({ "error": … } and exit 1 on failure).
import { performance } from 'node:perf_hooks';
import { analyseSnapshot } from './analyse';
import { readSnapshot } from './read';

function main(): void {
  const file = process.argv[2];
  try {
    if (!file) throw new Error('usage: analyse-child <file.heapsnapshot>');
    const t0 = performance.now();
    const snap = readSnapshot(file);
    const t1 = performance.now();
    const result = analyseSnapshot(snap);
    result.timings = { read: Math.round(t1 - t0), ...result.timings };
    process.stdout.write(JSON.stringify(result));
  } catch (err) {
    process.stdout.write(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
    process.exitCode = 1;
  }
}

main();
