/**
 * Per-SLI ownership and alert switches (issue 24, items 5 and 6) on the bundled catalog as a
 * team would edit it: an SLI owned by another team than its service's, an SLI that opens
 * tickets only, a bursty SLI without the traffic-cessation ticket and an experimental SLI
 * (recorded and drawn, never alerted on). Checked in the rule files, Alertmanager's routing
 * (the real amtool), the runbooks, the UI's rows, and the generated promtool tests (the real
 * promtool), whose switched-off scenarios must fail against the rules of the SLI that alerts.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { exportOpenSlo } from '../generators/export/openslo.js';
import { importOpenSlo } from '../generators/import/openslo.js';
import { parseYamlDocuments } from '../generators/load/yaml-source.js';
import { ownAlertLabels } from '../generators/model/alert-extras.js';
import type { TestIndex } from '../generators/emit/promtool-tests/test-file.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { snapshotOf } from '../generators/serve/slo-status.js';
import { testPack } from '../generators/test-pack.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { amtool } from './helpers/amtool.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';
import { openSloRoundTripDifferences } from './helpers/openslo-round-trip.js';
import { rulesIn, type Rule } from './helpers/rule-file.js';

/** The four switches, each on its own SLI of the bundled catalog. */
function switchedCatalog(): string {
  const catalog = copyCatalog();
  const services = join(catalog, 'services');
  edit(join(services, 'registry.yaml'), (t) =>
    t.replace('  - name: request-latency\n', '  - name: request-latency\n    team: integrations\n').replace('  - name: requests\n', '  - name: requests\n    alerting:\n      pages: false\n'),
  );
  edit(join(services, 'webhook-relay.yaml'), (t) => t.replace('  - name: deliveries\n', '  - name: deliveries\n    alerting:\n      traffic_cessation: false\n'));
  edit(join(services, 'gitaly.yaml'), (t) => t.replace('  - name: grpc-latency\n', '  - name: grpc-latency\n    experimental: true\n'));
  return catalog;
}

async function packOf(catalog: string) {
  const { model, problems } = loadModel(catalog);
  expect(problems).toEqual([]);
  const out = join(scratchDir(), 'out');
  writeOutput(out, (await generatePack(model!)).files);
  return { model: model!, out };
}

const switched = await packOf(switchedCatalog());
const plain = await packOf(copyCatalog());

const rulesOf = (out: string, service: string): Rule[] => rulesIn(readFileSync(join(out, 'prometheus', 'rules', `${service}.yml`), 'utf8'));
const alertsOf = (service: string, sli?: string) => rulesOf(switched.out, service).filter((r) => r.alert && (sli === undefined ? r.labels?.sli !== undefined : r.labels?.sli === sli));
const indexOf = (out: string) => JSON.parse(readFileSync(join(out, 'prometheus', 'tests', 'index.json'), 'utf8')) as TestIndex;
const shapeOf = (out: string, service: string, sli: string) => indexOf(out).slis.find((s) => s.service === service && s.sli === sli)!.shape;

describe('an SLI owned by another team than its service', () => {
  it("its alerts carry its owner; the service's other alerts and its saturation alerts carry the service's team", () => {
    const owned = alertsOf('registry', 'request-latency');
    expect(owned.length).toBeGreaterThanOrEqual(7);
    expect(new Set(owned.map((r) => r.labels!.team))).toEqual(new Set(['integrations']));
    expect(new Set(alertsOf('registry', 'requests').map((r) => r.labels!.team))).toEqual(new Set(['package']));
    const saturation = rulesOf(switched.out, 'registry').filter((r) => r.alert && r.labels?.resource);
    expect(saturation.length).toBeGreaterThan(0);
    expect(new Set(saturation.map((r) => r.labels!.team))).toEqual(new Set(['package']));
  });

  it('Alertmanager sends each of the service\'s alerts to the team its labels name, at its severity (amtool config routes test)', () => {
    const config = join(switched.out, 'alertmanager', 'alertmanager.yml');
    const all = rulesOf(switched.out, 'registry').filter((r) => r.alert);
    const pairs = new Set(all.map((r) => `${r.labels!.team} ${r.labels!.severity}`));
    // The owner pages and tickets; the service's team gets tickets (requests is tickets only) and saturation pages.
    expect(pairs).toEqual(new Set(['integrations critical', 'integrations warning', 'package warning', 'package critical']));
    for (const pair of pairs) {
      const [team, severity] = pair.split(' ') as [string, string];
      const receiver = `${team}-${severity === 'critical' ? 'page' : 'ticket'}`;
      const r = amtool(['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${receiver}`, `team=${team}`, `severity=${severity}`, 'service=registry', 'sli=request-latency']);
      expect(r.code, `${pair}: ${r.output}`).toBe(0);
    }
    // A page of the owned SLI waits for registry's dependencies like the service's own pages.
    const c = parse(readFileSync(config, 'utf8')) as { route: { routes: { matchers: string[]; routes: { matchers: string[] }[] }[] } };
    const integrations = c.route.routes.find((r) => r.matchers[0] === 'team="integrations"')!;
    expect(integrations.routes[0]!.matchers).toContain('service=~"registry|webhook-relay"');
    // The route cases the pack ships name the owner too.
    const { cases } = parse(readFileSync(join(switched.out, 'alertmanager', 'routes.test.yml'), 'utf8')) as { cases: { labels: Record<string, string>; receiver: string }[] };
    expect(cases).toContainEqual({ labels: { team: 'integrations', severity: 'critical', service: 'registry' }, receiver: 'integrations-page' });
  });

  it('its runbook sections name its owner to escalate to, and the SLI list says who owns it', () => {
    const runbook = readFileSync(join(switched.out, 'runbooks', 'registry.md'), 'utf8');
    expect(runbook).toMatch(/- \*\*request-latency\*\*: .* Owned by team integrations \(\\#g\\_integrations\): its alerts go to them\./);
    const section = (heading: string) => {
      const from = runbook.indexOf(`\n### ${heading}\n`);
      expect(from, heading).toBeGreaterThan(0);
      return runbook.slice(from, runbook.indexOf('\n### ', from + 5));
    };
    expect(section('request-latency burn fast')).toMatch(/Page integrations-oncall if you are not on the\nintegrations rotation yourself/);
    expect(section('requests burn fast')).toMatch(/Page package-oncall if you are not on the\npackage rotation yourself/);
    expect(section('requests burn fast')).not.toMatch(/integrations/);
  });

  it("its dashboard row names its owner", () => {
    const dashboard = JSON.parse(readFileSync(join(switched.out, 'grafana', 'dashboards', 'registry.json'), 'utf8')) as { panels: { type: string; title: string }[] };
    expect(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual(expect.arrayContaining(['SLI requests (error-ratio, 99.9% objective)', 'SLI request-latency (latency, 99% objective, team integrations)']));
  });

  it("the UI lists the SLI under its owner's team", () => {
    const rows = snapshotOf(switched.model, 0, undefined).rows;
    expect(rows.find((r) => r.service === 'registry' && r.sli === 'request-latency')!.team).toBe('integrations');
    expect(rows.find((r) => r.service === 'registry' && r.sli === 'requests')!.team).toBe('package');
  });
});

describe('alert switches', () => {
  it('tickets only: none of the SLI\'s alerts pages, the vanished one included; the service\'s other SLI still pages', () => {
    const requests = alertsOf('registry', 'requests');
    expect(requests.length).toBeGreaterThanOrEqual(7);
    expect(new Set(requests.map((r) => r.labels!.severity))).toEqual(new Set(['warning']));
    expect(alertsOf('registry', 'request-latency').some((r) => r.labels!.severity === 'critical')).toBe(true);
    expect(readFileSync(join(switched.out, 'runbooks', 'registry.md'), 'utf8')).toMatch(/- \*\*requests\*\*: .* Tickets only: it never pages\./);
  });

  it('no traffic-cessation ticket: the SLI keeps every other alert, its siblings keep theirs', () => {
    const names = (sli: string) => alertsOf('webhook-relay', sli).map((r) => r.alert);
    expect(names('deliveries')).not.toContain('SlokitTrafficCessation');
    expect(names('deliveries')).toContain('SlokitSLIVanished');
    expect(names('deliveries').length).toBe(names('api').length - 1);
    expect(names('api')).toContain('SlokitTrafficCessation');
    const runbook = readFileSync(join(switched.out, 'runbooks', 'webhook-relay.md'), 'utf8');
    expect(runbook).toMatch(/### deliveries vanished/);
    expect(runbook).not.toMatch(/### deliveries traffic cessation/);
    expect(runbook).toMatch(/- \*\*deliveries\*\*: .* No traffic-cessation ticket: silence is normal for it\./);
  });

  it('experimental: its recorded series stay (dashboards and the UI read them), no alert rule, runbook section, route or inhibition case names it', () => {
    const rules = rulesOf(switched.out, 'gitaly').filter((r) => r.labels?.sli === 'grpc-latency');
    expect(rules.filter((r) => r.alert)).toEqual([]);
    expect(rules.map((r) => r.record)).toEqual(expect.arrayContaining(['sli:error:ratio_rate5m', 'slo:burn_rate:rate1h', 'slo:error_budget_remaining:ratio']));
    expect(alertsOf('gitaly', 'grpc-requests').length).toBeGreaterThanOrEqual(7);
    const runbook = readFileSync(join(switched.out, 'runbooks', 'gitaly.md'), 'utf8');
    expect(runbook).toMatch(/### grpc-latency: where it fails/);
    expect(runbook).toMatch(/### grpc-requests burn fast/);
    expect(runbook).not.toMatch(/### grpc-latency (burn|low traffic|traffic cessation|vanished|budget)/);
    expect(runbook).toMatch(/- \*\*grpc-latency\*\*: .* Experimental: recorded and drawn, it never alerts\./);
    const inhibitions = readFileSync(join(switched.out, 'alertmanager', 'inhibitions.test.yml'), 'utf8');
    expect(inhibitions).not.toMatch(/sli: grpc-latency/);
    expect(inhibitions).toMatch(/sli: grpc-requests/);
    // Its dashboard row says so, and its burn panel draws no alert threshold.
    const dashboard = JSON.parse(readFileSync(join(switched.out, 'grafana', 'dashboards', 'gitaly.json'), 'utf8')) as { panels: { type: string; title: string; fieldConfig?: { defaults: { thresholds?: { steps: unknown[] } } } }[] };
    expect(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title)).toContain('SLI grpc-latency (latency, 99% objective, experimental: no alerts)');
    const burn = (sli: string) => dashboard.panels.find((p) => p.title === `${sli}: burn rate per alert window`)!.fieldConfig!.defaults.thresholds!.steps;
    expect(burn('grpc-latency')).toHaveLength(1);
    expect(burn('grpc-requests').length).toBeGreaterThan(1);
    const row = snapshotOf(switched.model, 0, undefined).rows.find((r) => r.service === 'gitaly' && r.sli === 'grpc-latency')!;
    expect(row.experimental).toBe(true);
    expect(row.alerts).toEqual([]);
    expect(row.links.runbook).toBe('/runbooks/gitaly');
  });
});

describe('the generated tests of switched SLIs (the real promtool)', () => {
  const switchedSlis = [
    ['registry', 'request-latency'],
    ['registry', 'requests'],
    ['webhook-relay', 'deliveries'],
    ['gitaly', 'grpc-latency'],
  ] as const;

  beforeAll(() => {
    if (!promtoolAvailable()) throw new Error(PROMTOOL_MISSING);
  });

  it('pass: each switched SLI\'s own tests on its slice, and its shape\'s full suite', async () => {
    const shapes = new Set(switchedSlis.map(([s, i]) => shapeOf(switched.out, s, i)));
    const own = new Set(switchedSlis.map(([s, i]) => `slis/${s}/${i}.test.yml`));
    const results = await testPack(switched.out, { jobs: 2, changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => own.has(f) || [...shapes].some((id) => f.startsWith(`shapes/${id}/`)) });
    expect(results.length).toBeGreaterThanOrEqual(own.size + shapes.size);
    for (const r of results) expect(r.status, `${r.file}: ${JSON.stringify(r.failures)}${r.raw ?? ''}`).toBe('passed');
    // An owner is an identity label, not a shape: the owned SLI shares its shape with the same SLI owned by its service's team.
    expect(shapeOf(switched.out, 'registry', 'request-latency')).toBe(shapeOf(plain.out, 'registry', 'request-latency'));
    // A switch is a shape of its own.
    for (const [s, i] of switchedSlis.slice(1)) expect(shapeOf(switched.out, s, i), `${s}/${i}`).not.toBe(shapeOf(plain.out, s, i));
  });

  it('have teeth: the experimental and no-cessation suites fail against the rules of the same SLI that alerts', () => {
    for (const [service, sli, alert] of [
      ['gitaly', 'grpc-latency', 'SlokitErrorBudgetBurnFast'],
      ['webhook-relay', 'deliveries', 'SlokitTrafficCessation'],
    ] as const) {
      const dir = scratchDir('slokit-teeth-');
      const switchedShape = join(switched.out, 'prometheus', 'tests', 'shapes', shapeOf(switched.out, service, sli));
      const alertingShape = join(plain.out, 'prometheus', 'tests', 'shapes', shapeOf(plain.out, service, sli));
      // The scenario that says the switched-off alert must not fire, alone (the whole suite passed above).
      const suite = parse(readFileSync(join(switchedShape, 'slo.test.yml'), 'utf8')) as { tests: { alert_rule_test?: { alertname: string }[] }[] };
      const scenario = suite.tests.find((t) => t.alert_rule_test?.some((c) => c.alertname === alert))!;
      expect(scenario, `${service}/${sli}: a scenario about ${alert}`).toBeDefined();
      writeFileSync(join(dir, 'slo.test.yml'), stringify({ ...suite, tests: [scenario] }));
      for (const [rules, passes] of [[join(switchedShape, 'rules.yml'), true], [join(alertingShape, 'rules.yml'), false]] as const) {
        cpSync(rules, join(dir, 'rules.yml'));
        const r = spawnSync('promtool', ['test', 'rules', 'slo.test.yml'], { cwd: dir, encoding: 'utf8' });
        expect(r.status === 0, `${service}/${sli} against ${passes ? 'its own' : 'the alerting'} rules: ${r.stdout}${r.stderr}`).toBe(passes);
        if (!passes) expect(r.stdout + r.stderr).toContain(`alertname: ${alert}`);
      }
    }
  });
});

describe('OpenSLO', () => {
  it('carries the owner (an SLO label) and the switches (slokit annotations) out and back in', () => {
    const text = exportOpenSlo(switched.model).text;
    const slo = (name: string) => text.split('\n---\n').find((d) => d.includes(`name: ${name}\n`))!;
    expect(slo('registry-request-latency')).toMatch(/labels:\n\s+team:\n\s+- integrations/);
    expect(slo('registry-requests')).toMatch(/slokit\.dev\/pages: '?false'?/);
    expect(slo('webhook-relay-deliveries')).toMatch(/slokit\.dev\/traffic-cessation: '?false'?/);
    expect(slo('gitaly-grpc-latency')).toMatch(/slokit\.dev\/experimental: '?true'?/);
    expect(slo('gitaly-grpc-requests')).not.toMatch(/slokit\.dev\/(experimental|pages|traffic-cessation)|team:/);
    expect(openSloRoundTripDifferences(switched.model)).toEqual([]);
    // What the import makes of the export: the four SLIs as the catalog wrote them.
    const back = importOpenSlo(parseYamlDocuments('export.yaml', text).sources, { ownLabels: new Set(ownAlertLabels(switched.model.settings)) }).services;
    const sli = (service: string, name: string) => back.find((x) => x.name === service)!.slis.find((x) => x.name === name)!;
    expect(sli('registry', 'request-latency').team).toBe('integrations');
    expect(sli('registry', 'requests')).toMatchObject({ alerting: { pages: false } });
    expect(sli('webhook-relay', 'deliveries')).toMatchObject({ alerting: { traffic_cessation: false } });
    expect(sli('gitaly', 'grpc-latency').experimental).toBe(true);
    expect(sli('gitaly', 'grpc-requests')).not.toHaveProperty('experimental');
  });
});

describe('misuse is refused where it is written', () => {
  it('an SLI team not in teams.yaml, and alert settings on an experimental SLI', () => {
    const catalog = copyCatalog();
    edit(join(catalog, 'services', 'registry.yaml'), (t) => t.replace('  - name: request-latency\n', '  - name: request-latency\n    team: integratons\n'));
    edit(join(catalog, 'services', 'gitaly.yaml'), (t) => t.replace('  - name: grpc-latency\n', '  - name: grpc-latency\n    experimental: true\n    alerting:\n      pages: false\n'));
    const { model, problems } = loadModel(catalog);
    expect(model).toBeUndefined();
    const text = problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message} (${p.hint})`);
    expect(text).toContainEqual(expect.stringMatching(/services\/registry\.yaml:24:11: team "integratons" is not in teams\.yaml \(did you mean "integrations"\?.*leave team out for the service's \(package\)\)/));
    expect(text).toContainEqual(expect.stringMatching(/services\/gitaly\.yaml:\d+:7: SLI "grpc-latency" is experimental, so it has no alerts for alerting\.pages to shape \(remove alerting\.pages, or remove experimental: true/));
  });
});

/**
 * Owners read from a metric label (GitLab's feature categories): web's requests grouped by
 * feature_category, two categories owned by other teams. Routing is decided by the real amtool
 * on the generated configuration, against what each owner should receive (written here, not
 * read from the generator's own route cases).
 */
describe('owners by label value (owners_by)', () => {
  const OWNERS = `    group_by: { labels: [feature_category], max_values: 20 }
    owners_by:
      label: feature_category
      teams:
        gitaly: [source_code_management, gitaly]
        package: [container_registry]
`;
  const ownedCatalog = (owners = OWNERS) => {
    const catalog = copyCatalog();
    edit(join(catalog, 'services', 'web.yaml'), (t) => t.replace('    significant_labels: [method, feature_category]\n', `    significant_labels: [method]\n${owners}`));
    return catalog;
  };

  it("routes each category's alerts to the team that owns it, and any other category to the SLI's team (amtool)", async () => {
    const { model, out } = await packOf(ownedCatalog());
    const sli = model.services.find((s) => s.name === 'web')!.slis.find((s) => s.ownersBy)!;
    expect(sli.ownersBy!.owners.map((o) => [o.team.name, o.values])).toEqual([
      ['gitaly', ['source_code_management', 'gitaly']],
      ['package', ['container_registry']],
    ]);
    const config = join(out, 'alertmanager', 'alertmanager.yml');
    const expected: [string, string, string][] = [
      ['source_code_management', 'critical', 'gitaly-page'],
      ['gitaly', 'warning', 'gitaly-ticket'],
      ['container_registry', 'critical', 'package-page'],
      ['container_registry', 'warning', 'package-ticket'],
      ['code_review', 'critical', 'web-platform-page'],
      ['code_review', 'warning', 'web-platform-ticket'],
    ];
    for (const [category, severity, receiver] of expected) {
      const r = amtool(['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${receiver}`, 'team=web-platform', `severity=${severity}`, 'service=web', `sli=${sli.name}`, `feature_category=${category}`, 'env=production', 'cluster=main']);
      expect(r.code, `${category} ${severity}: ${r.output}`).toBe(0);
    }
    // The same category on another SLI of the service is not owned: it stays with web-platform.
    const other = amtool(['config', 'routes', 'test', `--config.file=${config}`, '--verify.receivers=web-platform-page', 'team=web-platform', 'severity=critical', 'service=web', 'sli=puma-latency', 'feature_category=source_code_management']);
    expect(other.code, other.output).toBe(0);
    const runbook = readFileSync(join(out, 'runbooks', 'web.md'), 'utf8');
    expect(runbook).toContain('Its alerts go by feature\\_category: source\\_code\\_management, gitaly to team gitaly');
  });

  it('changes no rule: the SLI keeps the rule shape it has without owners', async () => {
    const shapeOf = async (catalog: string) => {
      const { model } = loadModel(catalog);
      const index = JSON.parse((await generatePack(model!)).files.get('prometheus/tests/index.json')!) as TestIndex;
      return index.slis.find((e) => e.service === 'web' && e.sli === 'puma-requests')!.shape;
    };
    expect(await shapeOf(ownedCatalog())).toBe(await shapeOf(ownedCatalog(OWNERS.split('\n')[0]! + '\n')));
  });

  it('a label that is not a group_by label, an unknown team and a category owned twice are refused where written', () => {
    const problems = (owners: string) => loadModel(ownedCatalog(owners)).problems.map((p) => `${p.line}:${p.col} ${p.message}`);
    expect(problems(OWNERS.replace('      label: feature_category', '      label: method'))).toEqual([expect.stringMatching(/^\d+:14 owners_by reads "method", which is not a group_by label of the SLI/)]);
    expect(problems(OWNERS.replace('        package:', '        packages:'))).toEqual([expect.stringMatching(/^\d+:9 team "packages" is not in teams\.yaml/)]);
    expect(problems(OWNERS.replace('[container_registry]', '[container_registry, gitaly]'))).toEqual([expect.stringMatching(/^\d+:39 feature_category "gitaly" is owned by gitaly and by package/)]);
    expect(problems(OWNERS.replace('[container_registry]', '["container registry"]'))).toEqual([expect.stringMatching(/owners_by\.teams\.package\[0\] has an invalid value "container registry"/)]);
  });
});
