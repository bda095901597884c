// Which module hooks this Node line gets.
//
// module.registerHooks() (synchronous, in-thread) exists from 22.15 / 23.5, but a load hook that rewrites sources
// needs nodejs/node#59929 (null source from the CommonJS loader handled), released in 22.22.3, 24.11.1, 25.1.0 and
// 26.0.0 (import-in-the-middle's supportsSyncHooks() draws the same line). There the agent uses one load hook and
// nothing else. Everywhere else (Node 20, earlier 22/24 patch releases, 23) it wraps Module.prototype._compile for
// CommonJS (compile-hook.ts) and registers import-in-the-middle's loader through module.register() for import, once
// an ES module can load; module.register() is runtime-deprecated from Node 26.0.0 (DEP0205), which always takes the
// first path.
// `import … = require`: no __importStar copying every export of node:module at start-up.
import nodeModule = require('node:module');

const FIRST_FIXED: Record<number, [number, number]> = { 22: [22, 3], 24: [11, 1], 25: [1, 0] };

export function registerHooksUsable(version: string = process.versions.node, available = typeof (nodeModule as { registerHooks?: unknown }).registerHooks === 'function'): boolean {
  if (!available) return false;
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
  if (major >= 26) return true;
  const fixed = FIRST_FIXED[major];
  if (!fixed) return false; // 23.x never got the fix
  return minor > fixed[0] || (minor === fixed[0] && patch >= fixed[1]);
}
