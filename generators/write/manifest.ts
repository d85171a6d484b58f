/** out/manifest.json: what slokit generated, so stale files can be pruned and foreign ones kept. */
import { createHash } from 'node:crypto';

/** What one service contributed to the pack, so an unchanged service's files can be reused. */
export interface ServiceRecord {
  /** serviceKey(): equal keys, byte-identical files. */
  readonly key: string;
  readonly files: readonly string[];
  /** Its share of the pack's summary counts. */
  readonly counts: Readonly<Record<string, number>>;
  /** The rule shape of each of its SLIs, in order (their test suites are the pack's, in `suites`). */
  readonly shapes?: readonly string[];
}

/**
 * A test suite the pack holds (a rule shape's, or a window suite's), so a run that reuses every
 * SLI pointing at it can take its files and counts without building it again.
 */
export interface SuiteRecord {
  /** File names, relative to the suite's folder. */
  readonly files: readonly string[];
  readonly groups: number;
  readonly cases: number;
  /** A shape's window suite. */
  readonly windows?: string;
}

/** What the generator records about the pack beyond its files, for the next run's reuse. */
export interface PackRecords {
  readonly services: ReadonlyMap<string, ServiceRecord>;
  readonly suites: ReadonlyMap<string, SuiteRecord>;
}

export interface Manifest {
  readonly generator: 'slokit';
  readonly files: readonly { readonly path: string; readonly sha256: string }[];
  readonly services?: Readonly<Record<string, ServiceRecord>>;
  readonly suites?: Readonly<Record<string, SuiteRecord>>;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function buildManifest(files: ReadonlyMap<string, string>, records?: PackRecords): Manifest {
  return manifestOf(new Map([...files].map(([path, text]) => [path, sha256(text)])), records);
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The manifest of files by path and hash, sorted by path so it does not depend on write order. */
export function manifestOf(hashes: ReadonlyMap<string, string>, records?: PackRecords): Manifest {
  const paths = [...hashes.keys()].sort(byName);
  const sorted = <T>(m: ReadonlyMap<string, T>) => [...m.entries()].sort(([a], [b]) => byName(a, b));
  return {
    generator: 'slokit',
    files: paths.map((path) => ({ path, sha256: hashes.get(path)! })),
    ...(records?.services.size ? { services: Object.fromEntries(sorted(records.services).map(([n, r]) => [n, { ...r, files: [...r.files].sort(byName) }])) } : {}),
    ...(records?.suites.size ? { suites: Object.fromEntries(sorted(records.suites)) } : {}),
  };
}

export function manifestText(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

export function parseManifest(text: string): Manifest | undefined {
  try {
    const m = JSON.parse(text) as Manifest;
    return m && m.generator === 'slokit' && Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}
