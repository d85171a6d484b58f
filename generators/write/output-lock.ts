/**
 * One `generate` at a time per output directory: two runs swapping packs in the same out/
 * would delete each other's half-written pack. A lock left by a killed run is taken over.
 */
import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';

export class LockHeld extends Error {}

/** Whether a process with this id runs (one of another user counts: it cannot be signalled, but it is there). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock at `path`; the returned function releases it. */
export function takeLock(path: string, what: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && processAlive(pid)) {
        throw new LockHeld(`another slokit (pid ${pid}) is writing ${what}; wait for it to finish, or remove ${path} if that process is not slokit`);
      }
      rmSync(path, { force: true }); // left by a run that was killed
    }
  }
  throw new LockHeld(`could not take the lock ${path}; remove it if no slokit is running`);
}
