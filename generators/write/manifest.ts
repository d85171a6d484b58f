/** out/manifest.json: what slokit generated, so stale files can be pruned and foreign ones kept. */
import { createHash } from 'node:crypto';

export interface Manifest {
  readonly generator: 'slokit';
  readonly files: readonly { readonly path: string; readonly sha256: string }[];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function buildManifest(files: ReadonlyMap<string, string>): Manifest {
  return manifestOf(new Map([...files].map(([path, text]) => [path, sha256(text)])));
}

/** The manifest of files by path and hash, sorted by path so it does not depend on write order. */
export function manifestOf(hashes: ReadonlyMap<string, string>): Manifest {
  const paths = [...hashes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { generator: 'slokit', files: paths.map((path) => ({ path, sha256: hashes.get(path)! })) };
}

export function parseManifest(text: string): Manifest | undefined {
  try {
    const m = JSON.parse(text) as Manifest;
    return m && m.generator === 'slokit' && Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}
