// Every internal failure stays inside the agent: with a fault injected at each stage (LEAK_AGENT_FAULT, test-only),
// the app's stdout and exit code are identical and one stderr line says what failed.
import { describe, expect, it } from 'vitest';
import { makeApp, placeScript, runNode } from '../helpers/apps';

const app = makeApp('triggers', { 'lru-cache': 'lru10' });
placeScript(app, 'triggers.cjs');

describe.each(['patch', 'track', 'trigger', 'verify', 'report'])('fault while %s', (stage) => {
  it.each(['natural', 'exit3', 'throw'])('%s: same stdout and status, one clear stderr line', (mode) => {
    const plain = runNode(app, ['triggers.cjs', mode]);
    const run = runNode(app, ['-r', 'leak-agent', 'triggers.cjs', mode], { LEAK_AGENT_FAULT: stage });
    expect(run.stdout).toBe(plain.stdout);
    expect(run.status).toBe(plain.status);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('leak-agent: internal error'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`injected fault (${stage})`);
    expect(lines[0]).toContain('the app is unaffected');
  });
});
