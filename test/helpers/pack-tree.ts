/** What a reader of an output directory sees: every file through the links, without slokit's own state. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function packTree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (prefix === '' && name === '.slokit') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(out, packTree(path, `${prefix}${name}/`));
    else out[`${prefix}${name}`] = readFileSync(path, 'utf8');
  }
  return out;
}
