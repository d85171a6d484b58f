/**
 * What each catalog file parsed to, by a hash of its text: `slokit generate` keeps it in
 * out/.slokit so that generating again parses only the files that changed. Parsing 5,000
 * service files took 3.5 of the 5 seconds of loading them; a file's data is a function of its
 * text and the parser, so a hit gives exactly what parsing would. Positions are not kept: a
 * hit's document is parsed again only when a problem in it needs its line and column.
 * It also keeps what each selector parsed to (promql/selector-memo.ts), under the generator's
 * version, since slokit's own code reads those.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { generatorVersion } from '../generator-version.js';
import { selectorMemo } from '../promql/selector-memo.js';
import { writeWhole } from '../write/state-file.js';

/** Entries from another parser version (or another set of parse options) are not used. */
function parserVersion(options: unknown): string {
  const { version } = createRequire(import.meta.url)('yaml/package.json') as { version: string };
  // Entries are JSON text: each hit is parsed into the caller's own copy, cheaper than parsing
  // every entry with the whole file and cloning the ones asked for.
  return `yaml ${version} ${JSON.stringify(options)} json-text`;
}

/** Whether JSON gives `data` back as it is: not for NaN, ±Infinity (.nan, .inf) or -0. */
export function survivesJson(data: unknown): boolean {
  if (typeof data === 'number') return Number.isFinite(data) && !Object.is(data, -0);
  if (Array.isArray(data)) return data.every(survivesJson);
  if (data && typeof data === 'object') return Object.values(data).every(survivesJson);
  return data === null || typeof data === 'string' || typeof data === 'boolean';
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('base64url');

export class ParseCache {
  private readonly version: string;
  private readonly before: Readonly<Record<string, unknown>>;
  /** What this run read or parsed, as JSON text: the next cache holds these and nothing else, so it never grows stale. */
  private readonly now = new Map<string, string>();
  /** Entries of `before` this run used, and entries it parsed anew. */
  private hits = 0;
  private fresh = 0;

  private constructor(
    version: string,
    before: Readonly<Record<string, unknown>>,
    /** Whether a cache of this parser was read (otherwise the next save writes one). */
    private readonly loaded: boolean,
  ) {
    this.version = version;
    this.before = before;
  }

  /** The cache at `path`; empty when there is none, it is unreadable, or another parser (or generator, for selectors) wrote it. */
  static load(path: string, parseOptions: unknown): ParseCache {
    const version = parserVersion(parseOptions);
    let saved: { version?: unknown; entries?: unknown; generator?: unknown; selectors?: unknown } = {};
    try {
      saved = JSON.parse(readFileSync(path, 'utf8')) as typeof saved;
    } catch {
      // No cache yet, or a damaged one: every file and selector is parsed.
    }
    const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
    selectorMemo.seed(saved.generator === generatorVersion() && isObject(saved.selectors) ? saved.selectors : {});
    const loaded = saved.version === version && isObject(saved.entries);
    return new ParseCache(version, loaded ? (saved.entries as Record<string, unknown>) : {}, loaded);
  }

  /** The data `text` parsed to before, as a fresh copy (callers own what they get), or undefined. */
  get(text: string): { data: unknown } | undefined {
    const hash = hashOf(text);
    const saved = Object.hasOwn(this.before, hash) ? this.before[hash] : undefined;
    if (typeof saved !== 'string') return undefined;
    let data: unknown;
    try {
      data = JSON.parse(saved);
    } catch {
      return undefined; // a damaged entry: the file is parsed
    }
    if (!this.now.has(hash)) this.hits++;
    this.now.set(hash, saved);
    return { data };
  }

  /** Records what `text` parsed to, when JSON can hold it exactly. */
  put(text: string, data: unknown): void {
    if (!survivesJson(data)) return;
    const hash = hashOf(text);
    if (!this.now.has(hash)) this.fresh++;
    this.now.set(hash, JSON.stringify(data));
  }

  /**
   * Writes the entries of this run, whole or not at all; not when the cache read differs from
   * them in at most 1% of the entries. Rewriting it took an eighth of a second at 5,000 services
   * after one file changed, and the next run parses those few files again (under a millisecond
   * each) while the unused entries it keeps cost only their bytes.
   */
  save(path: string): void {
    const unused = Object.keys(this.before).length - this.hits;
    const changes = this.fresh + unused + selectorMemo.changes();
    if (this.loaded && changes <= this.now.size / 100) return;
    const entries = Object.fromEntries([...this.now].sort(([a], [b]) => (a < b ? -1 : 1)));
    writeWhole(path, JSON.stringify({ version: this.version, entries, generator: generatorVersion(), selectors: selectorMemo.entries() }));
  }
}
