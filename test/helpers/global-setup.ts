// The child-process tests load the built agent (dist/): fail early with a clear message when it is missing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './apps';

export default function setup(): void {
  if (!existsSync(join(ROOT, 'dist', 'start.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it for you)');
  }
}
