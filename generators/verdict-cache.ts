/**
 * What promtool passed, by the hash of exactly what it read (a test file, its rules and
 * promtool's version): a test whose inputs are byte for byte those of one that passed needs no
 * second run, since promtool's verdict depends on nothing else. Only passes are kept, so a
 * failure always comes from promtool itself. One empty file per pass, named by its hash, so
 * several `slokit test` processes can share a directory (a CI cache, or a test suite's run).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The environment variable `slokit test` reads when no `--cache` is given. */
export const VERDICT_CACHE_ENV = 'SLOKIT_TEST_CACHE';

/** The cache directory: the one given, else the environment's; '' (or neither) for none. */
export function verdictCacheDir(given?: string): string | undefined {
  return (given ?? process.env[VERDICT_CACHE_ENV]) || undefined;
}

/** What decides one promtool verdict: promtool's version, then each file it reads, in order (hashed; also what --changed records). */
export function verdictKey(promtool: string, ...texts: readonly (string | Buffer)[]): string {
  const h = createHash('sha256').update(promtool);
  for (const t of texts) h.update('\0').update(t);
  return h.digest('hex');
}

export class VerdictCache {
  constructor(private readonly dir: string) {}

  passed(key: string): boolean {
    return key !== '' && existsSync(join(this.dir, key));
  }

  remember(key: string): void {
    mkdirSync(this.dir, { recursive: true });
    // Written under a name of its own, then renamed: another process never sees half a record.
    const tmp = join(this.dir, `.${key}.${process.pid}`);
    writeFileSync(tmp, '');
    renameSync(tmp, join(this.dir, key));
  }
}
