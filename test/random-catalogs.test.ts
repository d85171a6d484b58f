/**
 * Property: every random valid catalog (see helpers/random-catalog.ts) generates a pack that
 * the real promtool accepts and whose generated tests pass, whose dashboards pass every lint
 * check and Grafana's dashboard model, whose PrometheusRules pass the Operator's CRD schema,
 * whose runbook links resolve, and whose annotations hold no Go template action but slokit's own.
 *
 * promtool's cost is the simulated time of each scenario, about 25 s for one rule shape's full
 * suite and a fifth of a second for an SLI's own tests. So every catalog runs `slokit test` on
 * the own tests of every SLI (its raw reads exact, selectors with hostile values matching their
 * series, its first alert firing with exact labels and annotations) after checking each SLI's
 * rules are its shape's with its names in place (every alert's labels and annotations too), and every FULL_EVERY-th catalog runs its shapes' full suites too
 * (SLOKIT_CATALOG_FULL_EVERY=1: all of them), and every JOURNEYS_EVERY-th catalog its user journeys' tests. SLOKIT_CATALOG_RUNS sets how many catalogs, SLOKIT_CATALOG_SEED
 * the seed; a failure names the catalog and keeps it on disk.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { openSloRoundTripDifferences } from './helpers/openslo-round-trip.js';
import { evaluateMixin, mixinGroups } from './helpers/mixin.js';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePackYaml } from '../generators/pack-yaml.js';
import { generatePack } from '../generators/emit/pack.js';
import { inParallel } from '../generators/in-parallel.js';
import { lintDashboard, type DashboardJson } from '../generators/lint/dashboard-lint.js';
import { loadModel } from '../generators/pipeline.js';
import { PROMTOOL_MISSING, promtoolAsync, promtoolAvailable, promtoolVersion } from '../generators/promtool.js';
import { testPack } from '../generators/test-pack.js';
import { formatProblem } from '../generators/validate/problems.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { scratchDir } from './helpers/catalog.js';
import { typeCheckDashboards } from './helpers/grafana-types.js';
import { randomCatalog, writeCatalog, type RandomCatalog } from './helpers/random-catalog.js';
import { brokenRunbookLinks } from './helpers/runbook-links.js';
import { isOwnTemplateAction, templateActions } from './helpers/template-actions.js';
import { ruleFiles } from './helpers/rule-files.js';

const RUNS = Number(process.env.SLOKIT_CATALOG_RUNS ?? 200);
const SEED = Number(process.env.SLOKIT_CATALOG_SEED ?? 82026_1127);
const FULL_EVERY = Number(process.env.SLOKIT_CATALOG_FULL_EVERY ?? 100);
/** Saturation tests simulate 30 hours per resource: run them for every SATURATION_EVERY-th catalog. */
const SATURATION_EVERY = Number(process.env.SLOKIT_CATALOG_SATURATION_EVERY ?? 10);
/** Journey tests run every journey's situations for 15 simulated minutes: run them for every JOURNEYS_EVERY-th catalog. */
const JOURNEYS_EVERY = Number(process.env.SLOKIT_CATALOG_JOURNEYS_EVERY ?? 4);

const PROMTOOL_VERSION = promtoolAvailable() ? promtoolVersion() : '';

const phase = { generate: 0, lint: 0, promtoolFull: 0, promtoolOutage: 0 };

interface Checked {
  readonly dashboards: Record<string, unknown>;
  readonly promtoolGroups: number;
}

async function checkCatalog(index: number, catalog: RandomCatalog, root: string): Promise<Checked> {
  const dir = join(root, `catalog-${index}`);
  writeCatalog(dir, catalog);
  const { model, problems } = loadModel(dir);
  if (!model) throw new Error(`not valid:\n${problems.map(formatProblem).join('\n')}`);
  let t = performance.now();
  const pack = await generatePack(model);
  phase.generate += performance.now() - t;
  t = performance.now();
  const out = join(root, `out-${index}`);
  writeOutput(out, pack.files);

  const dashboards = new Map([...pack.files].filter(([p]) => p.startsWith('grafana/dashboards/')).map(([p, text]) => [p, JSON.parse(text) as DashboardJson]));
  const findings = [...dashboards].flatMap(([p, d]) => lintDashboard(d).map((f) => `${p}: ${JSON.stringify(f)}`));
  if (findings.length) throw new Error(`dashboard lint:\n${findings.join('\n')}`);
  // Prometheus renders alert labels and annotations as Go templates: only slokit's own actions may be in them.
  const rules = ruleFiles(pack.files);
  const foreignActions = [...rules]
    .flatMap(([p, doc]) =>
      doc.groups
        .flatMap((g) => g.rules)
        .filter((r) => r.alert)
        .flatMap((r) => [...Object.values(r.labels ?? {}), ...Object.values(r.annotations ?? {})])
        .flatMap((v) => templateActions(v))
        .filter((a) => !isOwnTemplateAction(a, model.settings.aggregationLabels))
        .map((a) => `${p}: ${a}`),
    );
  if (foreignActions.length) throw new Error(`template actions from the catalog:\n${foreignActions.join('\n')}`);
  for (const [p, text] of pack.files) {
    if (!p.startsWith('kubernetes/prometheusrules/')) continue;
    const doc = parsePackYaml(text) as { spec: { groups: unknown[] } };
    new PrometheusRule(doc as never).validate();
    const ruleFile = rules.get(p.replace(/^kubernetes\/prometheusrules\/(.*)\.yaml$/, 'prometheus/rules/$1.yml'))!;
    if (!isDeepStrictEqual(doc.spec.groups, ruleFile.groups)) throw new Error(`${p} does not hold the groups of its rule file`);
  }
  const mixin = mixinGroups(await evaluateMixin(out, '{}', true));
  for (const [p, doc] of rules) {
    for (const g of doc.groups) {
      if (!isDeepStrictEqual(mixin.get(g.name), g)) throw new Error(`the mixin's group ${g.name} differs from ${p}`);
    }
  }
  const lost = openSloRoundTripDifferences(model);
  if (lost.length) throw new Error(`OpenSLO export and import lost:\n${lost.join('\n')}`);
  const broken = brokenRunbookLinks(pack.files, model.settings.runbookBaseUrl);
  if (broken.length) throw new Error(`runbook links that do not resolve:\n${broken.join('\n')}`);

  phase.lint += performance.now() - t;
  t = performance.now();
  const rulesDir = join(out, 'prometheus', 'rules');
  // The split rulers' halves too (the bundled defaults split): local files, and the global half
  // in plain Prometheus form (the Mimir file without its namespace).
  const rulers = join(out, 'prometheus', 'rulers');
  const globalDir = join(root, `global-${index}`);
  mkdirSync(globalDir);
  for (const f of readdirSync(join(rulers, 'mimir'))) {
    // The namespace is the file's one top-level line besides `groups:`.
    const text = readFileSync(join(rulers, 'mimir', f), 'utf8');
    const plain = text.replace(/^namespace: .*\n/m, '');
    if (plain.length === text.length) throw new Error(`prometheus/rulers/mimir/${f} has no namespace line`);
    writeFileSync(join(globalDir, f), plain);
  }
  const halves = [...readdirSync(join(rulers, 'local')).map((f) => join(rulers, 'local', f)), ...readdirSync(globalDir).map((f) => join(globalDir, f))];
  const check = await promtoolAsync(['check', 'rules', ...readdirSync(rulesDir).sort(), ...halves], rulesDir);
  if (!check.ok || /warning/i.test(check.output)) throw new Error(`promtool check rules:\n${check.output}`);
  const full = index % FULL_EVERY === 0;
  const saturation = index % SATURATION_EVERY === 0;
  const journeys = index % JOURNEYS_EVERY === 0;
  // Every SLI's own tests, after its rules are checked to be its shape's (and each shape's window
  // rules its window suite's); the shapes' and window suites' full tests
  // and the saturation tests where this catalog's turn has come.
  const selected = (f: string) => f.startsWith('slis/') || f.endsWith('/rules.yml') || (full && (f.startsWith('shapes/') || f.startsWith('windows/'))) || (saturation && f.endsWith('.saturation.test.yml')) || (journeys && f === 'journeys.test.yml');
  const results = await testPack(out, { jobs: 1, changedOnly: false, promtoolVersion: PROMTOOL_VERSION, select: selected });
  const failed = results.filter((r) => r.status !== 'passed');
  if (failed.length) throw new Error(`slokit test:\n${failed.map((r) => `${r.file}: ${r.failures.map((f) => `${f.group}: ${f.reason}`).join('; ')}${r.raw ?? ''}`).join('\n').slice(-4000)}`);
  if (results.filter((r) => r.file.startsWith('slis/')).length !== model.services.reduce((n, s) => n + s.slis.length, 0)) throw new Error('an SLI has no tests of its own');
  phase[full ? 'promtoolFull' : 'promtoolOutage'] += performance.now() - t;
  const groups = results.reduce((n, r) => n + r.groups, 0);
  return { dashboards: Object.fromEntries([...dashboards].map(([p, d]) => [`${index}/${p}`, d])), promtoolGroups: groups };
}

describe('random valid catalogs', () => {
  it(`${RUNS} seeded catalogs generate packs that promtool, the dashboard checks and the runbook links accept`, async () => {
    if (!promtoolAvailable()) throw new Error(PROMTOOL_MISSING);
    const catalogs = fc.sample(randomCatalog, { seed: SEED, numRuns: RUNS });
    const root = scratchDir('slokit-random-catalogs-');
    mkdirSync(root, { recursive: true });
    const failures: string[] = [];
    const dashboards: Record<string, unknown> = {};
    let groups = 0;
    await inParallel(
      catalogs.map((c, i) => [c, i] as const),
      Math.min(availableParallelism(), 4),
      async ([catalog, i]) => {
        try {
          const r = await checkCatalog(i, catalog, root);
          Object.assign(dashboards, r.dashboards);
          groups += r.promtoolGroups;
        } catch (e) {
          failures.push(`catalog ${i} (seed ${SEED}; kept in ${join(root, `catalog-${i}`)}): ${(e as Error).message}`);
        }
      },
    );
    expect(failures.slice(0, 3).join('\n\n'), `${failures.length} of ${RUNS} catalogs failed`).toBe('');
    const typed = typeCheckDashboards(dashboards);
    expect(typed.ok, typed.output.slice(0, 4000)).toBe(true);

    console.log(`seconds spent (summed over workers): ${JSON.stringify(Object.fromEntries(Object.entries(phase).map(([k, v]) => [k, Math.round(v / 100) / 10])))}`);
    const kinds = new Set(catalogs.flatMap((c) => c.kinds));
    const slis = catalogs.reduce((n, c) => n + c.slis, 0);
    console.log(`random catalogs: ${RUNS} (seed ${SEED}), ${slis} SLIs, kinds ${[...kinds].sort().join(', ')}; ${groups} promtool test groups passed; ${Object.keys(dashboards).length} dashboards type-checked`);
    expect(kinds.size).toBe(7);
    const objectives = new Set(catalogs.flatMap((c) => c.objectives));
    const overlapping = catalogs.reduce((n, c) => n + c.overlapping, 0);
    console.log(`objectives written: ${[...objectives].sort((a, b) => a - b).join(', ')}; ${overlapping} SLIs over another SLI's events (the same or a subset)`);
    if (RUNS >= 100) {
      expect([...objectives]).toEqual(expect.arrayContaining([90, 99.99, 99.999]));
      expect(overlapping).toBeGreaterThan(RUNS / 10);
    }
    const switched = Object.fromEntries((['otherTeam', 'ticketsOnly', 'noCessation', 'experimental', 'grouped', 'reportObjectives'] as const).map((k) => [k, catalogs.reduce((n, c) => n + c.switched[k], 0)]));
    const aggregated = catalogs.filter((c) => c.also.length).length;
    console.log(`SLIs switched: ${JSON.stringify(switched)}; ${aggregated} catalogs aggregate by more than environment and cluster`);
    expect(aggregated).toBeGreaterThan(RUNS / 5);
    // Every switch is drawn often enough that the property covers it.
    for (const [k, n] of Object.entries(switched)) expect(n, k).toBeGreaterThan(slis / 20);
    const combined = catalogs.reduce((n, c) => n + c.combined, 0);
    console.log(`combined SLIs (several selectors or histograms): ${combined}`);
    expect(combined).toBeGreaterThan(slis / 20);
    const resources = catalogs.reduce((n, c) => n + c.resources, 0);
    console.log(`saturation resources: ${resources}; their promtool tests ran for every ${SATURATION_EVERY}th catalog`);
    expect(resources).toBeGreaterThan(RUNS / 2);
    const journeys = catalogs.reduce((n, c) => n + c.journeys, 0);
    console.log(`user journeys: ${journeys} in ${catalogs.filter((c) => c.journeys).length} catalogs; their promtool tests ran for every ${JOURNEYS_EVERY}th catalog`);
    expect(journeys).toBeGreaterThan(RUNS / 2);
  }, 1_200_000);
});
