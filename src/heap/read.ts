// A streaming reader for V8 .heapsnapshot files: reads the file in chunks, straight into typed arrays. No JSON.parse
// of the file (impossible above 512 MB anyway), no object per node or edge. Synchronous, so it also runs at exit.
//
// Layout (notes/heap.md §1): {"snapshot":{"meta":{…},"node_count":N,"edge_count":M,…},"nodes":[…],"edges":[…],
// "trace_function_infos":[…],"trace_tree":[…],"samples":[…],"locations":[…],"strings":[…]}
// Field layouts come from meta; strings are ASCII (V8 escapes everything above 0x7F), so latin1 is exact and only
// strings with a backslash need JSON.parse.
import { closeSync, openSync, readSync } from 'node:fs';

export interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
}

export interface HeapSnapshot {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  nodeFields: number;
  edgeFields: number;
  /** node_count × node_fields numbers. Values above 2^32 − 1 (a self_size could be) are clamped; see bigValues. */
  nodes: Uint32Array;
  /** edge_count × edge_fields numbers. */
  edges: Uint32Array;
  strings: string[];
  /** How many numbers did not fit 32 bits (0 in every snapshot seen). */
  bigValues: number;
  /** Bytes read. */
  bytes: number;
}

const CHUNK = 4 * 1024 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE = 0x5d; // ]
const ZERO = 0x30;

class ChunkReader {
  readonly buf: Buffer;
  len = 0;
  pos = 0;
  total = 0;
  constructor(
    private readonly fd: number,
    private readonly chunk: number,
  ) {
    this.buf = Buffer.allocUnsafe(chunk);
  }

  /** Make sure pos < len; false at end of file. */
  fill(): boolean {
    if (this.pos < this.len) return true;
    this.len = readSync(this.fd, this.buf, 0, this.chunk, null);
    this.pos = 0;
    this.total += this.len;
    return this.len > 0;
  }

  /** Advance just past the next occurrence of `pattern` (ASCII, its first byte not repeated inside). */
  skipPast(pattern: string): void {
    const bytes = Buffer.from(pattern, 'latin1');
    let matched = 0;
    while (this.fill()) {
      const { buf, len } = this;
      for (let p = this.pos; p < len; p++) {
        const c = buf[p]!;
        if (c === bytes[matched]) {
          matched++;
          if (matched === bytes.length) {
            this.pos = p + 1;
            return;
          }
        } else {
          matched = c === bytes[0] ? 1 : 0;
        }
      }
      this.pos = len;
    }
    throw new Error(`not a heap snapshot: ${pattern} not found`);
  }

  /** Read the comma-separated unsigned integers up to the closing bracket into `into`; returns how many. */
  numbers(into: Uint32Array, stats: { big: number }): number {
    let k = 0;
    let acc = 0;
    let inNumber = false;
    while (this.fill()) {
      const { buf, len } = this;
      for (let p = this.pos; p < len; p++) {
        const c = buf[p]!;
        const digit = c - ZERO;
        if (digit >>> 0 < 10) {
          acc = acc * 10 + digit;
          inNumber = true;
        } else {
          if (inNumber) {
            if (k >= into.length) throw new Error('heap snapshot has more numbers than its header says');
            if (acc > 0xffffffff) {
              stats.big++;
              acc = 0xffffffff;
            }
            into[k++] = acc;
            acc = 0;
            inNumber = false;
          }
          if (c === CLOSE) {
            this.pos = p + 1;
            return k;
          }
        }
      }
      this.pos = len;
    }
    throw new Error('heap snapshot ends inside a number array');
  }

  /** Read the string array up to its closing bracket. */
  strings(): string[] {
    const out: string[] = [];
    let inString = false;
    let escaped = false;
    let hasEscape = false;
    let parts: Buffer[] = [];
    let start = 0;
    while (this.fill()) {
      const { buf, len } = this;
      const view = buf.subarray(0, len);
      // Most strings have no backslash: find their end with the native indexOf, and know where the next backslash is.
      let nextBackslash = view.indexOf(BACKSLASH, this.pos);
      if (nextBackslash === -1) nextBackslash = len;
      let p = this.pos;
      if (inString) start = p;
      while (p < len) {
        if (!inString) {
          const c = buf[p]!;
          if (c === QUOTE) {
            inString = true;
            hasEscape = false;
            start = p + 1;
          } else if (c === CLOSE) {
            this.pos = p + 1;
            return out;
          }
          p++;
          continue;
        }
        if (!escaped) {
          if (nextBackslash < p) {
            nextBackslash = view.indexOf(BACKSLASH, p);
            if (nextBackslash === -1) nextBackslash = len;
          }
          const q = view.indexOf(QUOTE, p);
          const end = q === -1 ? len : q;
          if (end < nextBackslash) {
            if (q === -1) {
              p = len;
              break;
            }
            out.push(this.finish(parts, start, q, hasEscape));
            parts = [];
            inString = false;
            p = q + 1;
            continue;
          }
          // A backslash comes first: step to it and go byte by byte through the escape.
          p = nextBackslash;
        }
        const c = buf[p]!;
        if (escaped) {
          escaped = false;
        } else if (c === BACKSLASH) {
          escaped = true;
          hasEscape = true;
        } else if (c === QUOTE) {
          out.push(this.finish(parts, start, p, hasEscape));
          parts = [];
          inString = false;
        }
        p++;
      }
      // A string that continues in the next chunk: keep a copy of its bytes so far (the buffer is reused).
      if (inString) parts.push(Buffer.from(buf.subarray(start, len)));
      this.pos = len;
    }
    throw new Error('heap snapshot ends inside the strings array');
  }

  private finish(parts: Buffer[], start: number, end: number, hasEscape: boolean): string {
    let text: string;
    if (parts.length === 0) {
      text = this.buf.toString('latin1', start, end);
    } else {
      parts.push(this.buf.subarray(start, end));
      text = Buffer.concat(parts).toString('latin1');
    }
    return hasEscape ? (JSON.parse(`"${text}"`) as string) : text;
  }
}

/** The header object, read as text up to the nodes array (it is small). */
function readHeader(reader: ChunkReader): { meta: SnapshotMeta; node_count: number; edge_count: number } {
  let text = '';
  const marker = '"nodes":[';
  for (;;) {
    if (!reader.fill()) throw new Error('not a heap snapshot: no nodes array');
    const before = text.length;
    text += reader.buf.toString('latin1', reader.pos, reader.len);
    const at = text.indexOf(marker);
    if (at !== -1) {
      reader.pos += at + marker.length - before;
      const header = text.slice(0, at).replace(/,\s*$/, '');
      const parsed = JSON.parse(`${header}}`) as { snapshot: { meta: SnapshotMeta; node_count: number; edge_count: number } };
      return parsed.snapshot;
    }
    reader.pos = reader.len;
    if (text.length > 1024 * 1024) throw new Error('not a heap snapshot: header too long');
  }
}

/** Read a snapshot file; `chunkSize` is for tests, which make chunk boundaries fall everywhere. */
export function readSnapshot(path: string, chunkSize = CHUNK): HeapSnapshot {
  const fd = openSync(path, 'r');
  try {
    const reader = new ChunkReader(fd, chunkSize);
    const { meta, node_count: nodeCount, edge_count: edgeCount } = readHeader(reader);
    const nodeFields = meta.node_fields.length;
    const edgeFields = meta.edge_fields.length;
    const stats = { big: 0 };
    const nodes = new Uint32Array(nodeCount * nodeFields);
    if (reader.numbers(nodes, stats) !== nodes.length) throw new Error('heap snapshot: node count does not match its header');
    reader.skipPast('"edges":[');
    const edges = new Uint32Array(edgeCount * edgeFields);
    if (reader.numbers(edges, stats) !== edges.length) throw new Error('heap snapshot: edge count does not match its header');
    reader.skipPast('"strings":[');
    const strings = reader.strings();
    return { meta, nodeCount, edgeCount, nodeFields, edgeFields, nodes, edges, strings, bigValues: stats.big, bytes: reader.total };
  } finally {
    closeSync(fd);
  }
}
