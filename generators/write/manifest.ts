/** out/manifest.json: what slokit generated, so stale files can be pruned and foreign ones kept. */
import { createHash } from 'node:crypto';

/** What one service contributed to the pack, so an unchanged service's files can be reused. */
export interface ServiceRecord {
  /** serviceKey(): equal keys, byte-identical files. */
  readonly key: string;
  readonly files: readonly string[];
  /** Its share of the pack's summary counts. */
  readonly counts: Readonly<Record<string, number>>;
}

export interface Manifest {
  readonly generator: 'slokit';
  readonly files: readonly { readonly path: string; readonly sha256: string }[];
  readonly services?: Readonly<Record<string, ServiceRecord>>;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function buildManifest(files: ReadonlyMap<string, string>, services?: ReadonlyMap<string, ServiceRecord>): Manifest {
  return manifestOf(new Map([...files].map(([path, text]) => [path, sha256(text)])), services);
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The manifest of files by path and hash, sorted by path so it does not depend on write order. */
export function manifestOf(hashes: ReadonlyMap<string, string>, services?: ReadonlyMap<string, ServiceRecord>): Manifest {
  const paths = [...hashes.keys()].sort(byName);
  return {
    generator: 'slokit',
    files: paths.map((path) => ({ path, sha256: hashes.get(path)! })),
    ...(services?.size ? { services: Object.fromEntries([...services.entries()].sort(([a], [b]) => byName(a, b)).map(([n, r]) => [n, { ...r, files: [...r.files].sort(byName) }])) } : {}),
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
