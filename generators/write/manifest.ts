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
  return { generator: 'slokit', files: [...files.entries()].map(([path, text]) => ({ path, sha256: sha256(text) })) };
}

export function parseManifest(text: string): Manifest | undefined {
  try {
    const m = JSON.parse(text) as Manifest;
    return m && m.generator === 'slokit' && Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}
