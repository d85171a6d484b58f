/** Generated Alertmanager routing, checked by the real amtool. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { InhibitionCase } from '../generators/emit/alertmanager/inhibition-cases.js';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { amtool } from './helpers/amtool.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';
import { heldBack } from './helpers/inhibition-cases.js';

const model = loadModel(copyCatalog()).model!;
const pack = await generatePack(model);
const out = join(scratchDir(), 'out');
writeOutput(out, pack.files);
const config = join(out, 'alertmanager', 'alertmanager.yml');

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

  it('groups tickets by alert, service and SLI (or resource), pages by service; pages of services with dependencies wait for their dependencies', () => {
    const c = parse(pack.files.get('alertmanager/alertmanager.yml')!) as {
      route: { group_by: string[]; routes: { matchers: string[]; group_wait: string; routes: { matchers: string[]; receiver: string; group_wait?: string }[] }[] };
      receivers: { name: string; webhook_configs?: { url: string; send_resolved: boolean }[] }[];
    };
    // The bundled catalog's journeys alert: their alerts carry no service and group by journey.
    expect(c.route.group_by).toEqual(['alertname', 'service', 'sli', 'resource', 'journey']);
    const web = c.route.routes.find((r) => r.matchers[0] === 'team="web-platform"')!;
    // group_wait (30s) plus the fast evaluation interval (1m): the dependency's page is evaluated by another group.
    // Pages are grouped by service and place: one notification per incident, whichever SLIs and tiers fire.
    const byService = ['service', 'journey', 'env', 'cluster'];
    expect(web.routes).toEqual([
      { matchers: ['severity="critical"', 'service=~"web|workhorse"'], receiver: 'web-platform-page', group_by: byService, group_wait: '90s' },
      { matchers: ['severity="critical"'], receiver: 'web-platform-page', group_by: byService, group_wait: '30s' },
    ]);
    // Tickets wait as long, for the page that would hold them back.
    expect(c.route.routes.every((r) => r.group_wait === '90s')).toBe(true);
    const page = c.receivers.find((r) => r.name === 'package-page')!;
    expect(page.webhook_configs).toEqual([{ url: 'https://alerts.example.com/slokit/package/page', send_resolved: true }]);
  });
});

describe('inhibition, on a real Alertmanager', () => {
  const dir = copyCatalog();
  // Receivers on loopback, which nothing answers: the cases are read from Alertmanager's API, not its notifications.
  edit(join(dir, 'defaults.yaml'), (t) => t.replace(/receiver_url: \S+/, 'receiver_url: http://127.0.0.1:9/{team}/{kind}'));
  const local = loadModel(dir).model!;

  it("holds back exactly what each generated case says: every dependency edge, the page tiers, a page over its service's tickets", async () => {
    const p = await generatePack(local);
    const { cases } = parse(p.files.get('alertmanager/inhibitions.test.yml')!) as { cases: InhibitionCase[] };
    const edges = local.services.reduce((n, s) => n + s.dependencies.length, 0);
    const heldBackEdges = local.services.reduce((n, s) => n + s.heldBackBy.length, 0);
    expect(heldBackEdges).toBeLessThan(edges);
    expect(cases.filter((c) => c.inhibited && / -> [^:>]+: the dependency's page holds back the dependent's page$/.test(c.name))).toHaveLength(heldBackEdges);
    // workhorse declares redis with inhibit: false: redis's page leaves its pages alone.
    expect(cases.filter((c) => !c.inhibited && c.name.startsWith('redis -> workhorse (inhibit: false)'))).toHaveLength(1);
    expect(cases.some((c) => c.also?.length && c.inhibited)).toBe(true);
    expect(cases.some((c) => /the fast page holds back the moderate page/.test(c.name))).toBe(true);
    expect(cases.filter((c) => !c.inhibited).length).toBeGreaterThan(edges);
    const file = join(scratchDir(), 'alertmanager.yml');
    writeFileSync(file, p.files.get('alertmanager/alertmanager.yml')!);
    const r = await heldBack(file, cases);
    expect(r.failures).toEqual([]);
    expect(r.checked).toBe(cases.length);
  }, 60_000);

  it('has teeth: without the environment and cluster in equal, or without the dependency rules, cases fail', async () => {
    const p = await generatePack(local);
    const { cases } = parse(p.files.get('alertmanager/inhibitions.test.yml')!) as { cases: InhibitionCase[] };
    const config = parse(p.files.get('alertmanager/alertmanager.yml')!) as { inhibit_rules: { source_matchers: string[]; equal: string[] }[] };
    const mutant = async (change: (rules: typeof config.inhibit_rules) => typeof config.inhibit_rules) => {
      const file = join(scratchDir(), 'alertmanager.yml');
      writeFileSync(file, stringify({ ...config, inhibit_rules: change(structuredClone(config.inhibit_rules)) }));
      return (await heldBack(file, cases)).failures;
    };
    const anywhere = await mutant((rules) => rules.map((r) => ({ ...r, equal: r.equal.filter((l) => l !== 'cluster') })));
    expect(anywhere.some((f) => /not from another cluster: suppressed/.test(f))).toBe(true);
    const noDependencies = await mutant((rules) => rules.filter((r) => !r.source_matchers.some((m) => m.startsWith('service='))));
    expect(noDependencies.filter((f) => /the dependency's page holds back the dependent's page: active/.test(f)).length).toBeGreaterThan(5);
  }, 60_000);
});
