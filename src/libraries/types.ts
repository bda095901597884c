// What one supported library declares. Everything else (which packages and files the module hooks patch, the
// report's `library` names, which stack frames are skipped in locations, the advice) is derived from these
// declarations: adding a library is one file in src/libraries/ and one line in its index. Types only: nothing here
// is loaded at run time.
import type { CacheAdapter, CacheRecord } from '../track/registry';

/**
 * How the load hook hands a file's exports to `patch`.
 *   'exports'  patch mutates what the file exports (prototypes, properties): it gets CommonJS `module.exports`, or an
 *              ES module's namespace (`namespace`, with `value` = its default export), after the file has run.
 *   'replace'  patch returns a replacement for the export itself (a bare function export): CommonJS
 *              `module.exports` is reassigned, an ES module's `export default <name>;` is rewritten to use it.
 */
export type Exposure = 'exports' | 'replace';

/** A file of a package that loads, as seen by the hooks: which library, which copy, which file. */
export interface LoadedFile<L extends string = string> {
  /** npm package name ('lodash.memoize'). */
  readonly pkg: string;
  /** The report's library name. */
  readonly library: L;
  readonly version: string;
  /** The package's directory (absolute). */
  readonly baseDir: string;
  /** Path inside the package with '/' separators ('' when only the main entry is known). */
  readonly inner: string;
  /** How it arrived ('require', 'import', 'load hook'), for diagnostics. */
  readonly via: string;
  /**
   * The `require` of the module registry that loaded the file, when it is not Node's own (a test runner's: Jest):
   * a patch that needs a sibling file takes it from there, else it would get another copy.
   */
  readonly require?: (id: string) => unknown;
}

export interface LibraryFile<L extends string = string> {
  /** The file's path inside the package, matched whole ('/' separators). Never matches inside a nested node_modules. */
  readonly path: RegExp;
  readonly expose: Exposure;
  /**
   * The file requires nothing (lodash's monolith, lodash.memoize). When an ES module imports it while another
   * tool's module.register() hooks are loaded, Node hands the load hook no source; the hook may then read the file
   * itself, and Node runs it with the ES module loader's stand-in `require` (no require.cache, require.extensions:
   * nodejs/node#62786) — harmless only for a file that requires nothing.
   */
  readonly leaf?: boolean;
  /**
   * An edit of the file's source before it runs, or null to leave it as it is. It may only add code at the end of a
   * line, so that no line and no column of the file's own code moves (stack traces, source maps, error positions stay
   * exactly as without the agent). lru-cache's constructor reports each new cache this way.
   */
  edit?(source: string): string | null;
  /**
   * Patch the file's exports. `namespace` is the ES module namespace when the file is an ES module, else null.
   * Returns the replacement export ('replace'), or undefined to keep it. May throw: the caller catches.
   */
  patch(file: LoadedFile<L>, value: unknown, namespace: Readonly<Record<string, unknown>> | null): unknown;
}

export interface LibraryPackage<L extends string = string> {
  /** npm package name. */
  readonly name: string;
  /** The report's `library` for caches made by this package. */
  readonly library: L;
  /** Supported versions (semver range, see versions.ts). Other versions, and unreadable ones, are left alone. */
  readonly versions: string;
  /** The files that matter, with their patches. A file that matches none is never touched. */
  readonly files: readonly LibraryFile<L>[];
}

/** What the report's advice is computed from. */
export interface AdviceInput<L extends string = string> {
  library: L;
  libraryVersion: string;
  options: Record<string, number | boolean | string>;
  deadKeys: number;
  hints?: ReadonlySet<string>;
  /** When the snapshot engine found a cached value pointing back at its key: the path (".owner"). */
  valuePath?: string | null;
}

/** A library's declaration; `L` names the report's `library` values it brings (LibraryName derives from them). */
export interface LibraryPlugin<L extends string = string> {
  readonly packages: readonly LibraryPackage<L>[];
  /** The adapter that reads and detaches this library's cache storage (src/adapters). */
  readonly adapter: CacheAdapter;
  /** One sentence: how to stop such a cache keeping dead objects alive, in the library's own terms. */
  advice(input: AdviceInput<L>): string;
  /** Packages the library calls through, whose frames are skipped when locating app code (memoizee: es5-ext, …). */
  readonly helperPackages?: readonly string[];
  /** Runs for each of the library's caches before a verdict, e.g. to drop a reference the agent itself holds. */
  beforeVerify?(record: CacheRecord): void;
}
