/**
 * out/mixin/: evaluated by real jsonnet (@hanazuki/node-jsonnet), the mixin yields exactly the
 * plain rules and dashboards, and its _config changes what it says it changes and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { promtoolAsync, PROMTOOL_MISSING, promtoolAvailable } from '../generators/promtool.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, scratchDir } from './helpers/catalog.js';
import { evaluateMixin as evaluate, mixinGroups, type MixinGroup as Group } from './helpers/mixin.js';

const model = loadModel(copyCatalog()).model!;
const out = scratchDir();
writeOutput(out, (await generatePack(model)).files);
const evaluateMixin = (overrides?: string) => evaluate(out, overrides);

const plainGroups: Group[] = readdirSync(join(out, 'prometheus/rules')).sort().flatMap((f) => (parse(readFileSync(join(out, 'prometheus/rules', f), 'utf8')) as { groups: Group[] }).groups);
const plainDashboards = Object.fromEntries(readdirSync(join(out, 'grafana/dashboards')).map((f) => [f, JSON.parse(readFileSync(join(out, 'grafana/dashboards', f), 'utf8'))]));
const hasAlert = (g: Group) => g.rules.some((r) => r.alert !== undefined);

describe('monitoring mixin', () => {
  it('yields exactly the plain rule groups and dashboards with the default _config', async () => {
    const mixin = await evaluateMixin();
    expect(mixin.prometheusRules.groups.length + mixin.prometheusAlerts.groups.length).toBe(plainGroups.length);
    expect(mixinGroups(mixin)).toEqual(new Map(plainGroups.map((g) => [g.name, g])));
    // Alert groups go whole to prometheusAlerts, recording rules only to prometheusRules.
    expect(mixin.prometheusAlerts.groups.every(hasAlert)).toBe(true);
    expect(mixin.prometheusRules.groups.some(hasAlert)).toBe(false);
    expect(mixin.prometheusRules.groups.length).toBeGreaterThan(0);
    expect(mixin.grafanaDashboards).toEqual(plainDashboards);
    expect(Object.keys(mixin.grafanaDashboards)).toContain('slo-overview.json');
  });

  it('_config moves runbook and Grafana links, adds alert labels and dashboard tags, and changes nothing else', async () => {
    const mixin = await evaluateMixin(`{ _config+:: {
      runbookUrl: 'https://runbooks.internal/sre/', grafanaUrl: 'https://grafana.internal',
      alertLabels: { cluster_group: 'eu' }, dashboardTags: ['imported'] } }`);
    const runbooks = model.settings.runbookBaseUrl;
    const grafana = model.settings.grafanaBaseUrl;
    const mixed = mixinGroups(mixin);
    let alerts = 0;
    for (const plain of plainGroups) {
      const group = mixed.get(plain.name)!;
      plain.rules.forEach((rule, i) => {
        const got = group.rules[i]!;
        if (rule.alert === undefined) return expect(got).toEqual(rule);
        alerts++;
        expect(got.labels).toEqual({ ...rule.labels, cluster_group: 'eu' });
        expect(got.annotations!.runbook_url).toBe(rule.annotations!.runbook_url!.replace(runbooks, 'https://runbooks.internal/sre'));
        expect(got.annotations!.runbook_url).toMatch(/^https:\/\/runbooks\.internal\/sre\/[a-z-]+\.md#/);
        expect(got.annotations!.dashboard_url).toBe(rule.annotations!.dashboard_url!.replace(grafana, 'https://grafana.internal'));
        expect({ ...got, labels: rule.labels, annotations: { ...got.annotations, runbook_url: rule.annotations!.runbook_url, dashboard_url: rule.annotations!.dashboard_url } }).toEqual(rule);
      });
    }
    expect(alerts).toBe(plainGroups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined).length);
    expect(alerts).toBeGreaterThan(100);
    for (const [file, plain] of Object.entries(plainDashboards) as [string, { tags?: string[]; links?: { url?: string }[] }][]) {
      const got = mixin.grafanaDashboards[file]!;
      expect(got.tags).toEqual([...(plain.tags ?? []), 'imported']);
      const runbookLinks = (got.links ?? []).map((l) => l.url).filter((u) => u?.startsWith('https://runbooks.internal/sre/'));
      expect(runbookLinks.length).toBe((plain.links ?? []).filter((l) => l.url?.startsWith(runbooks)).length);
      expect({ ...got, tags: plain.tags, links: plain.links }).toEqual(plain);
    }
  });

  it('what the overridden mixin renders passes promtool check rules', async () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const mixin = await evaluateMixin(`{ _config+:: { alertLabels: { cluster_group: 'eu' } } }`);
    const dir = scratchDir();
    writeFileSync(join(dir, 'rules.yaml'), stringify(mixin.prometheusRules, { lineWidth: 0 }));
    writeFileSync(join(dir, 'alerts.yaml'), stringify(mixin.prometheusAlerts, { lineWidth: 0 }));
    const r = await promtoolAsync(['check', 'rules', 'rules.yaml', 'alerts.yaml'], dir);
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.output).not.toMatch(/warning/i);
    expect(r.ok, r.output).toBe(true);
  });
});
