/**
 * What each catalog file parsed to, by a hash of its text: `slokit generate` keeps it in
 * out/.slokit so that generating again parses only the files that changed. Parsing 5,000
 * service files took 3.5 of the 5 seconds of loading them; a file's data is a function of its
 * text and the parser, so a hit gives exactly what parsing would. Positions are not kept: a
 * hit's document is parsed again only when a problem in it needs its line and column.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { writeWhole } from '../write/state-file.js';

/** Entries from another parser version (or another set of parse options) are not used. */
function parserVersion(options: unknown): string {
  const { version } = createRequire(import.meta.url)('yaml/package.json') as { version: string };
  return `yaml ${version} ${JSON.stringify(options)}`;
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
  /** What this run read or parsed: the next cache holds these and nothing else, so it never grows stale. */
  private readonly now = new Map<string, unknown>();

  private constructor(version: string, before: Readonly<Record<string, unknown>>) {
    this.version = version;
    this.before = before;
  }

  /** The cache at `path`; empty when there is none, it is unreadable, or another parser wrote it. */
  static load(path: string, parseOptions: unknown): ParseCache {
    const version = parserVersion(parseOptions);
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; entries?: unknown };
      if (saved.version === version && saved.entries && typeof saved.entries === 'object') return new ParseCache(version, saved.entries as Record<string, unknown>);
    } catch {
      // No cache yet, or a damaged one: every file is parsed.
    }
    return new ParseCache(version, {});
  }

  /** The data `text` parsed to before, as a fresh copy (callers own what they get), or undefined. */
  get(text: string): { data: unknown } | undefined {
    const hash = hashOf(text);
    if (!Object.hasOwn(this.before, hash)) return undefined;
    const data = this.before[hash];
    this.now.set(hash, data);
    return { data: structuredClone(data) };
  }

  /** Records what `text` parsed to, when JSON can hold it exactly. */
  put(text: string, data: unknown): void {
    if (survivesJson(data)) this.now.set(hashOf(text), data);
  }

  /** Writes the entries of this run, whole or not at all. */
  save(path: string): void {
    const entries = Object.fromEntries([...this.now].sort(([a], [b]) => (a < b ? -1 : 1)));
    writeWhole(path, JSON.stringify({ version: this.version, entries }));
  }
}
