/**
 * slokit's own state in out/.slokit, beside the packs (what `slokit test` passed, what the
 * catalog parsed to): files each written whole or not at all.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder of out/ that holds the packs, the `current` link, the lock and the state files. */
export const STATE_DIR = '.slokit';

/** A state file's path relative to out/. */
export const statePath = (name: string) => join(STATE_DIR, name);

/** Writes `text` to `path` by rename over it, so a reader sees the old file or the new one. */
export function writeWhole(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}
