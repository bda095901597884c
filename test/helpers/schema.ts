// Validate reports against the JSON Schema shipped in the package.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './apps';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'report-v1.schema.json'), 'utf8')));

/** Throws with every schema error when `report` is not a valid v1 report. */
export function assertValidReport(report: unknown): void {
  if (!validate(report)) {
    throw new Error(`report does not match schema/report-v1.schema.json:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  }
}
