/**
 * A catalog's own alert labels and annotations (`alerting:`): on every alert, on pages and on
 * tickets, verbatim even when they look like templates, and never replacing slokit's own.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { toYaml } from '../generators/emit/yaml-text.js';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { promtoolAsync, PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { testPack } from '../generators/test-pack.js';
import type { TestIndex } from '../generators/emit/promtool-tests/test-file.js';
import { formatProblem } from '../generators/validate/problems.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';

const HOSTILE = '{{ $labels.team }} {{ printf "%s" "x" }} }}{{{';

function withAlerting(serviceBlock: string, sliBlock: string): string {
  const dir = copyCatalog();
  edit(join(dir, 'services/redis.yaml'), (t) =>
    t.replace('tier: 2\n', `tier: 2\n${serviceBlock}`).replace('    user_facing: false\n', `    user_facing: false\n${sliBlock}`),
  );
  return dir;
}

interface Alert { alert: string; labels: Record<string, string>; annotations: Record<string, string> }

describe('alerting: extra labels and annotations', () => {
  it('land on every alert, pages and tickets apart, the SLI overriding the service; Prometheus renders them verbatim', async () => {
    const dir = withAlerting(
      `alerting:\n  labels: { category: availability, owner: service-level }\n  page: { labels: { routing_key: data-stores } }\n  ticket: { labels: { slack_channel: "#alerts-data" } }\n`,
      `    alerting:\n      labels: { owner: sli-level }\n      annotations: { note: ${JSON.stringify(HOSTILE)} }\n`,
    );
    const { model, problems } = loadModel(dir);
    expect(problems.map(formatProblem)).toEqual([]);
    const pack = await generatePack(model!);
    const all = (parse(pack.files.get('prometheus/rules/redis.yml')!) as { groups: { rules: Alert[] }[] }).groups.flatMap((g) => g.rules).filter((r) => r.alert);
    const alerts = all.filter((a) => a.labels.sli !== undefined);
    expect(alerts.length).toBe(8);
    // Saturation alerts belong to the service: its extras, not the SLI's.
    const saturation = all.filter((a) => a.labels.resource !== undefined);
    expect(saturation.length).toBe(6);
    for (const a of saturation) {
      expect(a.labels).toMatchObject({ category: 'availability', owner: 'service-level' });
      expect(a.labels.routing_key !== undefined).toBe(a.labels.severity === 'critical');
      expect(a.labels.slack_channel !== undefined).toBe(a.labels.severity === 'warning');
      expect(a.annotations.note).toBeUndefined();
    }
    for (const a of alerts) {
      expect(a.labels).toMatchObject({ category: 'availability', owner: 'sli-level', team: 'data-stores', service: 'redis' });
      if (a.labels.severity === 'critical') expect(a.labels).toMatchObject({ routing_key: 'data-stores' });
      else expect(a.labels).toMatchObject({ slack_channel: '#alerts-data' });
      expect(a.labels.routing_key !== undefined).toBe(a.labels.severity === 'critical');
      expect(a.annotations.note).toBe('{{ "{{" }} $labels.team }} {{ "{{" }} printf "%s" "x" }} }}{{ "{{" }}{');
      expect(a.annotations.summary).toMatch(/redis/);
    }
    // The generated tests expect the text as written; real promtool renders the template.
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    const index = JSON.parse(pack.files.get('prometheus/tests/index.json')!) as TestIndex;
    const shape = index.slis.find((e) => e.service === 'redis')!.shape;
    const expectedIn = (path: string) =>
      (parse(pack.files.get(path)!) as { tests: { alert_rule_test?: { exp_alerts: { exp_annotations: Record<string, string> }[] }[] }[] }).tests
        .flatMap((t) => t.alert_rule_test ?? [])
        .flatMap((a) => a.exp_alerts);
    const own = expectedIn('prometheus/tests/slis/redis/commands.test.yml');
    // Every alert kind renders the extras: the shape's suite fires each kind, the SLI's own tests one.
    const shapes = expectedIn(`prometheus/tests/shapes/${shape}/slo.test.yml`);
    expect(own.length).toBe(1);
    expect(shapes.length).toBeGreaterThanOrEqual(8);
    expect([...own, ...shapes].every((e) => e.exp_annotations.note === HOSTILE)).toBe(true);
    const out = scratchDir();
    writeOutput(out, pack.files);
    const results = await testPack(out, { jobs: 2, changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => f === 'slis/redis/commands.test.yml' || f === `shapes/${shape}/slo.test.yml` });
    expect(results.map((r) => r.file).sort()).toEqual([`shapes/${shape}/slo.test.yml`, 'slis/redis/commands.test.yml']);
    for (const r of results) expect(r.status, JSON.stringify(r.failures)).toBe('passed');
    // Teeth: had the text not been escaped, Prometheus would have rendered the team's name.
    writeFileSync(join(out, 'raw.yml'), readFileSync(join(out, 'prometheus/rules/redis.yml'), 'utf8').replaceAll('{{ "{{" }}', '{{'));
    const raw = await promtoolAsync(['check', 'rules', 'raw.yml'], out);
    expect(raw.ok).toBe(false);
    expect(raw.output).toMatch(/template/);
  }, 120_000);

  it('may not replace labels or annotations slokit sets itself, nor give a label no text (located errors)', () => {
    const dir = withAlerting(`alerting:\n  page:\n    labels: { severity: page }\n`, `    alerting:\n      labels: { env: prod }\n      annotations: { runbook_url: https://x }\n`);
    const problems = loadModel(dir).problems.map(formatProblem).join('\n');
    expect(problems).toMatch(/services\/redis\.yaml:\d+:\d+: error: label "severity" is one slokit sets on every alert/);
    expect(problems).toMatch(/redis\.yaml:\d+:\d+: error: label "env" is one slokit sets/);
    expect(problems).toMatch(/redis\.yaml:\d+:\d+: error: annotation "runbook_url" is one slokit writes/);
    // Prometheus has no empty labels: the alert would lack the label the generated tests expect.
    const empty = withAlerting('', `    alerting:\n      labels: { empty: "" }\n      annotations: { empty: "" }\n`);
    expect(loadModel(empty).problems.map(formatProblem)).toEqual([expect.stringMatching(/redis\.yaml:28:24: error: slis\[0\]\.alerting\.labels\.empty must not be empty/)]);
  });
});
