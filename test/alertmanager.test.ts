/** Generated Alertmanager routing, checked by the real amtool. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, scratchDir } from './helpers/catalog.js';

const model = loadModel(copyCatalog()).model!;
const pack = await generatePack(model);
const out = join(scratchDir(), 'out');
writeOutput(out, pack.files);
const config = join(out, 'alertmanager', 'alertmanager.yml');

function amtool(args: string[]): { code: number; output: string } {
  const r = spawnSync('amtool', args, { encoding: 'utf8' });
  if (r.error) throw new Error("amtool not found: install Debian's 'prometheus-alertmanager' package");
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

describe('alertmanager.yml', () => {
  it('passes amtool check-config', () => {
    const r = amtool(['check-config', config]);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });

  it('routes every team × severity the catalog produces to that team (amtool config routes test)', () => {
    const { cases } = parse(pack.files.get('alertmanager/routes.test.yml')!) as { cases: { labels: Record<string, string>; receiver: string }[] };
    const teams = new Set(model.services.map((s) => s.team.name));
    expect(cases.length).toBeGreaterThanOrEqual(2 * teams.size);
    for (const c of cases) {
      const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
      const r = amtool(['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${c.receiver}`, ...labels]);
      expect(r.code, `${labels.join(' ')}: ${r.output}`).toBe(0);
    }
    // The check has teeth: a page for one team never reaches another team's receiver.
    const wrong = amtool(['config', 'routes', 'test', `--config.file=${config}`, '--verify.receivers=gitaly-page', 'team=package', 'severity=critical']);
    expect(wrong.code).not.toBe(0);
  });

  it('groups by service and SLI (or resource), and a page inhibits the tickets of the same SLI or saturation resource', () => {
    const c = parse(pack.files.get('alertmanager/alertmanager.yml')!) as {
      route: { group_by: string[] };
      inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
      receivers: { name: string; webhook_configs?: { url: string; send_resolved: boolean }[] }[];
    };
    expect(c.route.group_by).toEqual(['alertname', 'service', 'sli', 'resource']);
    expect(c.inhibit_rules).toEqual([{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['service', 'sli', 'resource'] }]);
    const page = c.receivers.find((r) => r.name === 'package-page')!;
    expect(page.webhook_configs).toEqual([{ url: 'https://alerts.example.com/slokit/package/page', send_resolved: true }]);
  });
});
