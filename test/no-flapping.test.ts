/**
 * A page stays firing through a sustained incident when the slow group's write is late or
 * missed. promtool evaluates every group at every step, so the slow group's real pace is
 * given as input instead: the series the 5m group records, written every 5 minutes, with one
 * write missed, and the Moderate page (evaluated every minute) read alone against them. The
 * same page reading those series without slack resolves mid-incident, which shows the test
 * can fail.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { toYaml } from '../generators/emit/yaml-text.js';
import { loadModel } from '../generators/pipeline.js';
import { BUNDLED_CATALOG, scratchDir } from './helpers/catalog.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
}

const { model } = loadModel(BUNDLED_CATALOG);
const pack = await generatePack(model!);
const groups = (parse(pack.files.get('prometheus/rules/registry.yml')!) as { groups: { name: string; interval: string; rules: Rule[] }[] }).groups;
const moderate = groups.flatMap((g) => g.rules).find((r) => r.alert === 'SlokitErrorBudgetBurnModerate' && r.labels?.sli === 'requests')!;
const sel = '{service="registry", sli="requests", component="registry", env="production", cluster="main"}';
const MINUTES = 60;
const MISSED = 30; // the slow group's write at 30m never lands

/** Written every minute (fast group) or every 5 minutes but at `MISSED` (slow group). */
function values(value: number, slow: boolean): string {
  return Array.from({ length: MINUTES + 1 }, (_, m) => (!slow || (m % 5 === 0 && m !== MISSED) ? String(value) : '_')).join(' ');
}

/** Minutes at which the page is not firing, read back from promtool's failures. */
function silentMinutes(alertExpr: string): number[] {
  const dir = scratchDir('slokit-noflap-');
  writeFileSync(join(dir, 'r.yml'), toYaml({ groups: [{ name: 'page', interval: '1m', rules: [{ ...moderate, expr: alertExpr }] }] }));
  const checks = Array.from({ length: MINUTES - 5 }, (_, i) => i + 6).map((m) => ({
    expr: `ALERTS{alertname="${moderate.alert}", alertstate="firing"}`,
    eval_time: `${m}m`,
    exp_samples: [{ labels: `ALERTS${sel.replace('{', `{alertname="${moderate.alert}", alertstate="firing", `).replace('}', `, ${Object.entries(moderate.labels!).filter(([k]) => !['service', 'sli', 'component'].includes(k)).map(([k, v]) => `${k}="${v}"`).join(', ')}}`)}`, value: 1 }],
  }));
  writeFileSync(
    join(dir, 't.yml'),
    toYaml({
      rule_files: ['r.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // 10% errors at a 99.9% objective: far above Moderate's 0.6%, all along.
            { series: `sli:error:ratio_rate30m${sel}`, values: values(0.1, false) },
            { series: `sli:error:ratio_rate6h${sel}`, values: values(0.1, true) },
            { series: `sli:events_total:rate6h${sel}`, values: values(50, true) },
          ],
          promql_expr_test: checks,
        },
      ],
    }),
  );
  const r = spawnSync('promtool', ['test', 'rules', 't.yml'], { cwd: dir, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool could not run (${r.error.message}); install Debian's prometheus package: apt-get install prometheus`);
  if (r.status === 0) return [];
  const out = `${r.stdout}${r.stderr}`;
  const silent = [...out.matchAll(/time: ((?:\d+[hm])+),\s*\n\s*exp:[^\n]*\n\s*got: nil/g)].map((m) =>
    [...m[1]!.matchAll(/(\d+)([hm])/g)].reduce((s, [, n, u]) => s + Number(n) * (u === 'h' ? 60 : 1), 0),
  );
  expect(silent.length, out.slice(0, 3000)).toBeGreaterThan(0);
  return silent;
}

describe('no flapping when the slow group is late', () => {
  it('the Moderate page stays firing through a missed slow write; without the slack it resolves mid-incident', () => {
    expect(moderate.expr).toContain('last_over_time(sli:error:ratio_rate6h');
    expect(silentMinutes(moderate.expr)).toEqual([]);
    const bare = moderate.expr.replace(/last_over_time\(([^[]+)\[[^\]]+\]\)/g, '$1');
    expect(bare).not.toContain('last_over_time');
    const silent = silentMinutes(bare);
    // The write due at 30m is missed: the 25m write leaves the lookback at 30m (Prometheus 2
    // keeps a sample exactly 5 minutes old) and the page resolves until the 35m write.
    expect(silent.every((m) => m > MISSED && m < MISSED + 5), silent.join(',')).toBe(true);
    expect(silent.length).toBeGreaterThan(0);
  });
});
