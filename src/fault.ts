// Test-only fault injection: LEAK_AGENT_FAULT=<stage> makes the agent throw at that stage, so the suite can prove
// that every internal failure stays inside the agent (stdout and exit code unchanged, one stderr line).
export type FaultStage = 'patch' | 'track' | 'trigger' | 'verify' | 'snapshot' | 'report';

const injected = process.env.LEAK_AGENT_FAULT;

export function faultPoint(stage: FaultStage): void {
  if (injected === stage) throw new Error(`injected fault (${stage})`);
}

/**
 * Test-only: LEAK_AGENT_FAULT=snapshot-memory makes the snapshot guard rail see no free memory; heap-headroom makes the
 * heap look half as roomy as a verdict needs.
 */
export function faultActive(name: 'snapshot-memory' | 'heap-headroom'): boolean {
  return injected === name;
}
