/** Debian's amtool, as the Alertmanager tests run it. */
import { spawnSync } from 'node:child_process';

export function amtool(args: string[]): { code: number; output: string } {
  const r = spawnSync('amtool', args, { encoding: 'utf8' });
  if (r.error) throw new Error("amtool not found: install Debian's 'prometheus-alertmanager' package");
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
