// Reachability over a parsed heap snapshot with the instrumented caches set aside (heap/protocol.ts has the probe).
//
// Edge rules (notes/heap.md §1, each checked against the real GC in test/e2e/snapshot-engine.test.ts):
// - `weak` and `shortcut` edges are not followed; neither is (Strong roots) → `weak_refs_keep_during_job`, the WeakRef
//   keep-during-job set, which holds whatever anyone (the agent included) deref()'d in the current job.
// - A WeakMap entry appears twice, as `internal` edges named "… part of key (K @k) -> value (V @v) pair in WeakMap
//   (table @t)": once from the key, once from the table. The value is live only when key and table both are, so the
//   table-side copy is never followed and the key-side one only once the table is reached (else parked until then).
// - The probe and its arrays (and their element stores) are blocked: never entered. So are each cache's containers
//   (its Map, key and value lists) and the closure storage the meta file names: a key or value reached only through
//   them is held by caches alone. The probe's `shadow` (cache → key → cached value, as WeakMaps) is a root: a cached
//   value is live exactly when its cache and its key are — the gc engine's semantics.
// - A cache that the roots do not reach is garbage: it is not judged.
import { performance } from 'node:perf_hooks';
import { PROBE_CLASS, type AnalysisResult, type CacheAnalysis, type ProbeMeta } from './protocol';
import type { HeapSnapshot } from './read';

const EPHEMERON = /^\d+ \/ part of key \(.* @(\d+)\) -> value \(.* @(\d+)\) pair in WeakMap \(table @(\d+)\)$/;

export class SnapshotGraph {
  readonly nodeCount: number;
  private readonly nf: number;
  private readonly ef: number;
  private readonly nType: number;
  private readonly nName: number;
  private readonly nId: number;
  private readonly nSelf: number;
  private readonly eType: number;
  private readonly eName: number;
  private readonly eTo: number;
  readonly firstEdge: Uint32Array;
  readonly nodeTypes: string[];
  readonly edgeTypes: string[];
  readonly WEAK: number;
  readonly SHORTCUT: number;
  readonly INTERNAL: number;
  readonly ELEMENT: number;
  readonly HIDDEN: number;
  readonly PROPERTY: number;
  readonly CONTEXT: number;
  /** String index of `weak_refs_keep_during_job`, or -1. */
  private readonly kdjName: number;
  /** Per edge-name string: table node id for key-side ephemeron edges, -2 for table-side copies, -1 otherwise. */
  private readonly ephemeronCache = new Map<number, number>();
  /** Node id → element indexes whose references are set aside (a cache's entries in a shared object). */
  readonly skippedElements = new Map<number, Set<number>>();

  constructor(readonly snap: HeapSnapshot) {
    const { meta } = snap;
    this.nodeCount = snap.nodeCount;
    this.nf = snap.nodeFields;
    this.ef = snap.edgeFields;
    const nf = meta.node_fields;
    const ef = meta.edge_fields;
    this.nType = nf.indexOf('type');
    this.nName = nf.indexOf('name');
    this.nId = nf.indexOf('id');
    this.nSelf = nf.indexOf('self_size');
    const nEdges = nf.indexOf('edge_count');
    this.eType = ef.indexOf('type');
    this.eName = ef.indexOf('name_or_index');
    this.eTo = ef.indexOf('to_node');
    if ([this.nType, this.nName, this.nId, this.nSelf, nEdges, this.eType, this.eName, this.eTo].includes(-1)) {
      throw new Error('heap snapshot: unexpected field layout');
    }
    this.nodeTypes = meta.node_types[0];
    this.edgeTypes = meta.edge_types[0];
    const et = (name: string) => this.edgeTypes.indexOf(name);
    this.WEAK = et('weak');
    this.SHORTCUT = et('shortcut');
    this.INTERNAL = et('internal');
    this.ELEMENT = et('element');
    this.HIDDEN = et('hidden');
    this.PROPERTY = et('property');
    this.CONTEXT = et('context');
    this.kdjName = snap.strings.indexOf('weak_refs_keep_during_job');
    const first = new Uint32Array(this.nodeCount + 1);
    let sum = 0;
    for (let n = 0; n < this.nodeCount; n++) {
      first[n] = sum;
      sum += snap.nodes[n * this.nf + nEdges]!;
    }
    first[this.nodeCount] = sum;
    if (sum !== snap.edgeCount) throw new Error('heap snapshot: edge counts do not add up');
    this.firstEdge = first;
  }

  name(n: number): string {
    return this.snap.strings[this.snap.nodes[n * this.nf + this.nName]!]!;
  }
  type(n: number): string {
    return this.nodeTypes[this.snap.nodes[n * this.nf + this.nType]!]!;
  }
  id(n: number): number {
    return this.snap.nodes[n * this.nf + this.nId]!;
  }
  selfSize(n: number): number {
    return this.snap.nodes[n * this.nf + this.nSelf]!;
  }
  edgeType(e: number): number {
    return this.snap.edges[e * this.ef + this.eType]!;
  }
  edgeNameOrIndex(e: number): number {
    return this.snap.edges[e * this.ef + this.eName]!;
  }
  edgeTarget(e: number): number {
    return this.snap.edges[e * this.ef + this.eTo]! / this.nf;
  }
  edgeLabel(e: number): string {
    const t = this.edgeType(e);
    const v = this.edgeNameOrIndex(e);
    if (t === this.ELEMENT) return `[${v}]`;
    if (t === this.HIDDEN) return `(hidden ${v})`;
    const name = this.snap.strings[v] ?? '?';
    if (t === this.PROPERTY) return /^[A-Za-z_$#][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
    if (t === this.CONTEXT) return `(closure variable ${name})`;
    if (EPHEMERON.test(name)) return '(WeakMap value)';
    return `(${name})`;
  }

  /** The target of the named property edge of `n`, or -1. */
  property(n: number, name: string): number {
    for (let e = this.firstEdge[n]!; e < this.firstEdge[n + 1]!; e++) {
      const t = this.edgeType(e);
      if ((t === this.PROPERTY || t === this.INTERNAL) && this.snap.strings[this.edgeNameOrIndex(e)] === name) return this.edgeTarget(e);
    }
    return -1;
  }

  /** The target of the edge of type `type` named `name` out of `n`, or -1. */
  namedEdge(n: number, type: number, name: string): number {
    for (let e = this.firstEdge[n]!; e < this.firstEdge[n + 1]!; e++) {
      if (this.edgeType(e) === type && this.snap.strings[this.edgeNameOrIndex(e)] === name) return this.edgeTarget(e);
    }
    return -1;
  }

  /**
   * The value of closure variable `name` of function node `fn`: its context (internal edge "context"), then the
   * enclosing ones (internal edge "previous"), as V8 writes them.
   */
  closureVariable(fn: number, name: string): number {
    let ctx = this.namedEdge(fn, this.INTERNAL, 'context');
    for (let depth = 0; ctx >= 0 && depth < 8; depth++) {
      const found = this.namedEdge(ctx, this.CONTEXT, name);
      if (found >= 0) return found;
      ctx = this.namedEdge(ctx, this.INTERNAL, 'previous');
    }
    return -1;
  }

  /** The element edges of an array node: index → target. */
  elements(n: number): Map<number, number> {
    const out = new Map<number, number>();
    for (let e = this.firstEdge[n]!; e < this.firstEdge[n + 1]!; e++) {
      if (this.edgeType(e) === this.ELEMENT) out.set(this.edgeNameOrIndex(e), this.edgeTarget(e));
    }
    return out;
  }

  /**
   * How to treat edge e out of node `from` (id `fromId`): -1 never follow, 0 follow, or a table node id that must be
   * reached first (key-side WeakMap entry).
   */
  edgeRule(e: number, fromId: number): number {
    const t = this.edgeType(e);
    if (t === this.WEAK || t === this.SHORTCUT) return -1;
    if (t === this.ELEMENT && this.skippedElements.size > 0 && this.skippedElements.get(fromId)?.has(this.edgeNameOrIndex(e))) return -1;
    if (t !== this.INTERNAL) return 0;
    const nameIdx = this.edgeNameOrIndex(e);
    if (nameIdx === this.kdjName) return -1;
    let table = this.ephemeronCache.get(nameIdx);
    if (table === undefined) {
      const m = EPHEMERON.exec(this.snap.strings[nameIdx] ?? '');
      table = m ? Number(m[3]) : -1;
      this.ephemeronCache.set(nameIdx, table);
    }
    if (table === -1) return 0;
    if (table === fromId) return -1; // the table-side copy
    return table;
  }
}

export interface Marking {
  visited: Uint8Array;
  blocked: Uint8Array;
}

/**
 * Mark everything reachable from `roots` under the edge rules, never entering blocked nodes, breadth first. With
 * `parent`, each newly visited node gets the edge it was first reached by (+1; 0 for roots), so paths are shortest.
 */
export function mark(g: SnapshotGraph, roots: number[], visited: Uint8Array, blocked: Uint8Array, parent?: Uint32Array): void {
  const queue = new Uint32Array(g.nodeCount);
  let head = 0;
  let tail = 0;
  const expandedTables = new Set<number>();
  const parked = new Map<number, Array<[number, number]>>();
  const visit = (n: number, via: number): void => {
    if (visited[n] || blocked[n]) return;
    visited[n] = 1;
    if (parent) parent[n] = via + 1;
    queue[tail++] = n;
  };
  for (const r of roots) visit(r, -1);
  while (head < tail) {
    const n = queue[head++]!;
    const id = g.id(n);
    for (let e = g.firstEdge[n]!; e < g.firstEdge[n + 1]!; e++) {
      const rule = g.edgeRule(e, id);
      if (rule === -1) {
        // A table-side WeakMap copy tells us n is a table: its parked values may go now.
        if (g.edgeType(e) === g.INTERNAL && !expandedTables.has(id)) {
          expandedTables.add(id);
          const waiting = parked.get(id);
          if (waiting) {
            parked.delete(id);
            for (const [v, via] of waiting) visit(v, via);
          }
        }
        continue;
      }
      const to = g.edgeTarget(e);
      if (rule === 0 || expandedTables.has(rule)) {
        visit(to, e);
      } else {
        let list = parked.get(rule);
        if (!list) parked.set(rule, (list = []));
        list.push([to, e]);
      }
    }
  }
}

/** The node an edge starts from (edges are stored in node order). */
function sourceOf(g: SnapshotGraph, e: number): number {
  let lo = 0;
  let hi = g.nodeCount - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (g.firstEdge[mid]! <= e) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** "Object.keep[3]": the last few steps of the shortest path from the roots to `n`, from the nearest named holder. */
function retainerPath(g: SnapshotGraph, n: number, parent: Uint32Array): string | null {
  const labels: string[] = [];
  let at = n;
  let holder = '';
  for (let steps = 0; steps < 6 && parent[at]! > 0; steps++) {
    const e = parent[at]! - 1;
    const from = sourceOf(g, e);
    labels.unshift(g.edgeLabel(e));
    holder = g.name(from) || g.type(from);
    if (g.type(from) === 'object' && holder !== 'Object' && holder !== 'Array') break;
    at = from;
  }
  if (labels.length === 0) return null;
  // V8's hidden edges (a FinalizationRegistry's cells, a context's internals) carry only slot numbers: one word for a run.
  const shown = labels.map((l) => (l.startsWith('(hidden ') ? '(internal)' : l)).filter((l, i, all) => l !== '(internal)' || all[i - 1] !== '(internal)');
  return `${holder}${shown.join('')}`;
}

/** Sum of self sizes of what `seeds` reach through nodes that are neither visited nor blocked (marks them in `seen`). */
function bytesFrom(g: SnapshotGraph, seeds: number[], live: Uint8Array, blocked: Uint8Array, seen: Uint8Array): number {
  const stack: number[] = [];
  let bytes = 0;
  const push = (n: number): void => {
    if (live[n] || blocked[n] || seen[n]) return;
    seen[n] = 1;
    bytes += g.selfSize(n);
    stack.push(n);
  };
  for (const s of seeds) push(s);
  while (stack.length > 0) {
    const n = stack.pop()!;
    const id = g.id(n);
    for (let e = g.firstEdge[n]!; e < g.firstEdge[n + 1]!; e++) {
      const rule = g.edgeRule(e, id);
      // Among garbage, a WeakMap value goes with its key: follow key-side entries, never the table-side copies.
      if (rule !== -1) push(g.edgeTarget(e));
    }
  }
  return bytes;
}

/** Shortest path from any payload to any dead key through garbage only; its edge labels, or null. */
function pathToDeadKey(g: SnapshotGraph, payloads: number[], deadKeys: Set<number>, live: Uint8Array, blocked: Uint8Array): string[] | null {
  const parentEdge = new Map<number, number>();
  const parentNode = new Map<number, number>();
  let queue: number[] = [];
  for (const p of payloads) {
    if (!live[p] && !blocked[p] && !parentNode.has(p)) {
      parentNode.set(p, -1);
      queue.push(p);
    }
  }
  let budget = 1_000_000; // enough for any realistic value graph; the explanation is best-effort beyond it
  while (queue.length > 0 && budget > 0) {
    const next: number[] = [];
    for (const n of queue) {
      budget--;
      const id = g.id(n);
      for (let e = g.firstEdge[n]!; e < g.firstEdge[n + 1]!; e++) {
        if (g.edgeRule(e, id) === -1) continue;
        const to = g.edgeTarget(e);
        if (live[to] || blocked[to] || parentNode.has(to)) continue;
        parentNode.set(to, n);
        parentEdge.set(to, e);
        if (deadKeys.has(to)) {
          const labels: string[] = [];
          for (let at = to; parentNode.get(at)! !== -1; at = parentNode.get(at)!) labels.unshift(g.edgeLabel(parentEdge.get(at)!));
          return labels;
        }
        next.push(to);
      }
    }
    queue = next;
  }
  return null;
}

export function findProbe(g: SnapshotGraph): number {
  let probe = -1;
  for (let n = 0; n < g.nodeCount; n++) {
    if (g.name(n) === PROBE_CLASS && g.type(n) === 'object') {
      if (probe !== -1) throw new Error('heap snapshot holds more than one probe');
      probe = n;
    }
  }
  if (probe === -1) throw new Error('heap snapshot holds no probe');
  return probe;
}

export function analyseSnapshot(snap: HeapSnapshot, meta: ProbeMeta): AnalysisResult {
  const t0 = performance.now();
  const g = new SnapshotGraph(snap);
  const probe = findProbe(g);
  const blocked = new Uint8Array(g.nodeCount);
  const block = (n: number): void => {
    if (n < 0) return;
    blocked[n] = 1;
    const store = g.property(n, 'elements');
    if (store >= 0) blocked[store] = 1;
  };
  const arrayOf = (n: number): number[] => {
    if (n < 0) return [];
    const els = g.elements(n);
    const out: number[] = [];
    for (const [i, t] of els) out[i] = t;
    return out;
  };
  const part = (name: string): number => {
    const n = g.property(probe, name);
    if (n < 0) throw new Error(`the probe has no ${name} array`);
    block(n);
    return n;
  };
  block(probe);
  const stores = arrayOf(part('stores'));
  const keyNodes = arrayOf(part('keys'));
  const containerLists = arrayOf(part('containers')).map((n) => {
    block(n);
    return arrayOf(n);
  });
  const valueLists = arrayOf(part('values')).map((n) => {
    block(n);
    return arrayOf(n);
  });
  const roots = arrayOf(part('roots'));
  const shadow = g.property(probe, 'shadow');
  if (shadow < 0) throw new Error('the probe has no shadow');
  if (stores.length !== meta.caches.length) throw new Error('the probe and its meta file disagree');

  // Set aside every cache's storage: containers whole, closure storage as the meta file says.
  const missing: number[] = meta.caches.map(() => 0);
  meta.caches.forEach((cache, w) => {
    for (const c of containerLists[w] ?? []) if (c !== undefined) block(c);
    const from = roots[w];
    (cache.closurePaths ?? []).forEach((path, p) => {
      let at = from === undefined ? -1 : g.property(from, path[0]!);
      for (const name of path.slice(1)) if (at >= 0) at = g.closureVariable(at, name);
      if (at < 0) {
        missing[w]!++;
        return;
      }
      if (p === 0 && cache.partialElements) {
        // Only this cache's entries: the element references with these indexes, and the backing store they share.
        g.skippedElements.set(g.id(at), new Set(cache.partialElements));
        const store = g.property(at, 'elements');
        if (store >= 0) blocked[store] = 1;
      } else {
        block(at);
      }
    });
  });

  const live = new Uint8Array(g.nodeCount);
  const parent = new Uint32Array(g.nodeCount);
  mark(g, [0, shadow], live, blocked, parent);
  const t1 = performance.now();
  let explainMs = 0;

  const caches: CacheAnalysis[] = [];
  const seenAll = new Uint8Array(g.nodeCount);
  let retainedBytesAll = 0;
  meta.caches.forEach((cache, w) => {
    const store = stores[w];
    if (store === undefined || !live[store]) {
      caches.push({ live: false, dead: [], retainedBytes: 0, valuePath: null, liveKeyHeldBy: null });
      return;
    }
    const dead: number[] = [];
    const deadNodes = new Set<number>();
    cache.keys.forEach((k, i) => {
      const node = keyNodes[k];
      if (node !== undefined && !live[node]) {
        dead.push(i);
        deadNodes.add(node);
      }
    });
    const payloads = (valueLists[w] ?? []).filter((p) => p !== undefined && !live[p]);
    const seeds = [...deadNodes, ...payloads];
    const retainedBytes = seeds.length === 0 ? 0 : bytesFrom(g, seeds, live, blocked, new Uint8Array(g.nodeCount));
    retainedBytesAll += seeds.length === 0 ? 0 : bytesFrom(g, seeds, live, blocked, seenAll);
    let valuePath: string | null = null;
    if (dead.length > 0) {
      const te = performance.now();
      const path = w < 64 ? pathToDeadKey(g, payloads, deadNodes, live, blocked) : null;
      explainMs += performance.now() - te;
      valuePath = path ? path.join('') : null;
    }
    // For a cache whose keys are all or partly alive: what holds the first live one, outside the caches.
    const firstLive = cache.keys.map((k) => keyNodes[k]).find((n) => n !== undefined && live[n]);
    const liveKeyHeldBy = firstLive === undefined ? null : retainerPath(g, firstLive, parent);
    const result: CacheAnalysis = { live: true, dead, retainedBytes, valuePath, liveKeyHeldBy };
    if (missing[w]! > 0) result.missingPaths = missing[w]!;
    caches.push(result);
  });
  const t2 = performance.now();
  return { caches, retainedBytesAll, timings: { mark: Math.round(t1 - t0), bytes: Math.round(t2 - t1 - explainMs), explain: Math.round(explainMs) } };
}
