// One place that turns "this file of this package loaded" into a patch, from the library declarations
// (src/libraries). Every hook — the in-thread load hook (module.registerHooks), or on older lines the
// Module.prototype._compile hook and import-in-the-middle — asks `libraryFileAt`/`libraryFile` whether a file
// matters, then calls `onLibraryLoaded`.
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { faultPoint } from '../fault';
import { type KnownPackage, type LibraryFile, type LibraryName, type LoadedFile, knownPackage } from '../libraries/index';
import { satisfies } from '../libraries/versions';
import { log, reportInternalError } from '../log';

const versions = new Map<string, string>();

export function packageVersion(baseDir: string): string {
  let v = versions.get(baseDir);
  if (v !== undefined) return v;
  try {
    const pkg = JSON.parse(readFileSync(join(baseDir, 'package.json'), 'utf8')) as { version?: unknown };
    v = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    v = 'unknown';
  }
  versions.set(baseDir, v);
  return v;
}

/**
 * Split an absolute file path into (package name, package dir, path inside the package), or null. The package is
 * the one after the *last* node_modules: a package nested in a library's own node_modules is that other package.
 */
export function packageOf(file: string): { name: string; baseDir: string; inner: string } | null {
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  if (at === -1) return null;
  const rest = file.slice(at + marker.length).split(sep);
  const scoped = rest[0]?.startsWith('@');
  const nameParts = scoped ? rest.slice(0, 2) : rest.slice(0, 1);
  const name = nameParts.join('/');
  const baseDir = file.slice(0, at + marker.length) + nameParts.join(sep);
  const inner = rest.slice(nameParts.length).join('/');
  return { name, baseDir, inner };
}

/** A library file that is about to load or has loaded, with the declaration that patches it. */
export interface LibraryTarget {
  readonly loaded: LoadedFile<LibraryName>;
  readonly file: LibraryFile<LibraryName>;
}

// One line per package copy whose version is skipped, not one per file.
const skippedCopies = new Set<string>();

/**
 * The declared file of a supported package at `inner` inside `baseDir`, or null (with the reason under
 * DEBUG=leak-agent:hooks) when the package, the file or the version is not one the agent patches.
 */
export function libraryFile(name: string, baseDir: string, inner: string, via: string): LibraryTarget | null {
  const known: KnownPackage | undefined = knownPackage(name);
  if (!known) {
    log.hooks('ignoring %s (%s): not a supported package', name, via);
    return null;
  }
  const file = known.pkg.files.find((f) => f.path.test(inner));
  if (!file) {
    log.hooks('ignoring %s/%s (%s): not a file the agent patches', name, inner, via);
    return null;
  }
  const version = packageVersion(baseDir);
  if (!satisfies(version, known.pkg.versions)) {
    if (!skippedCopies.has(baseDir)) {
      skippedCopies.add(baseDir);
      log.hooks(
        'skipping %s %s at %s: %s (supported: %s)',
        name,
        version,
        baseDir,
        version === 'unknown' ? 'its version cannot be read from package.json' : 'version not supported',
        known.pkg.versions,
      );
    }
    return null;
  }
  return { loaded: { pkg: name, library: known.pkg.library, version, baseDir, inner, via }, file };
}

/** `libraryFile` for an absolute path. */
export function libraryFileAt(path: string, via: string): LibraryTarget | null {
  const where = packageOf(path);
  if (!where) {
    log.hooks('ignoring %s (%s): not in node_modules', path, via);
    return null;
  }
  return libraryFile(where.name, where.baseDir, where.inner, via);
}

/**
 * Patch what a library file exports. `value` is CommonJS `module.exports`, an ES module's default export, or (for
 * 'replace' files of ES builds) the value of `export default`. Returns the replacement export ('replace' files), or
 * undefined to keep it. Never throws.
 */
export function onLibraryLoaded(target: LibraryTarget, value: unknown, namespace: Readonly<Record<string, unknown>> | null): unknown {
  const { loaded, file } = target;
  try {
    faultPoint('patch');
    const replacement = file.patch(loaded, value, namespace);
    return file.expose === 'replace' ? replacement : undefined;
  } catch (err) {
    reportInternalError(`patching ${loaded.pkg}@${loaded.version}`, err);
    return undefined;
  }
}
