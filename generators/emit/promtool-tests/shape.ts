/**
 * Tests by rule shape. Two SLIs whose rules differ only in their names and the series they
 * read (same objective, period, policy, evaluation, minimum events, cessation, alert labels
 * and event kind) have one shape. The full scenario suite runs once per shape, on a canonical
 * SLI (under names no catalog can have, counters named slokit_shape_*) whose rules are generated
 * by the same code; each SLI keeps its own cheap tests (own-series.ts), and `slokit test`
 * checks that its slice of the rule file is its shape's rules under its own name
 * (rule-slice.ts). The shape id is a hash of the canonical rules and tests, so anything that
 * changes either makes a new shape.
 */
import { createHash } from 'node:crypto';
import type { EventSource, Model, Service, Sli } from '../../model/types.js';
import { SLI_LABELS, series } from '../../naming.js';
import { ruleObject } from '../rule-file.js';
import { serviceRules } from '../rule-groups.js';
import { planWindows } from '../window-plan.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';
import { sliceOf, type GroupObject, type RuleIdentity } from './rule-slice.js';
import { sliPeriodTestGroups, sliTestGroups, sliWindowTestGroups, type TestGroup } from './scenarios.js';
import { testFileYaml } from './test-file-yaml.js';
import type { SuiteRecord } from '../../write/manifest.js';

/**
 * The canonical identity: names no catalog can have (a catalog name has single dashes), so they
 * occur in the shape's rules only where the generator put the identity, and `slokit test` can
 * put an SLI's own names in their place (rule-slice.ts).
 */
const NAME = { service: 'slokit--service', sli: 'slokit--sli', team: 'slokit--team', component: 'slokit--component' };

const bad = { metric: 'slokit_shape_bad_total', matchers: [] };
const good = { metric: 'slokit_shape_good_total', matchers: [] };
const total = { metric: 'slokit_shape_total', matchers: [] };
/** Plain counters of bad and all events: what every kind but histograms is tested on. */
const COUNTERS: EventSource = { type: 'counters', bad: [bad], total: [total] };

/**
 * A combined SLI's several selectors only change its raw reads, which its own tests prove
 * (own-series.ts): its shape is that of one selector. Histograms with thresholds of their own
 * are named in its alerts' words (badMeans), so its shape keeps one histogram per part then.
 */
function canonicalEvents(events: EventSource): EventSource {
  switch (events.type) {
    case 'counters':
      return events.bad ? COUNTERS : { type: 'counters', good: [good], total: [total] };
    case 'histogram': {
      const first = events.parts[0]!;
      const alike = events.parts.every((p) => p.satisfied === first.satisfied && p.tolerated === first.tolerated);
      const parts = alike ? [first] : events.parts;
      const histogram = (i: number) => ({ metric: 'slokit_shape_duration_seconds', matchers: parts.length > 1 ? [{ label: 'slokit_shape_part', op: '=' as const, value: String(i + 1) }] : [] });
      return { type: 'histogram', parts: parts.map((p, i) => ({ ...p, histogram: histogram(i) })) };
    }
    case 'gauge':
      // Its raw reads count samples; the SLI's own tests prove them, the shape proves the rest on counters.
      return COUNTERS;
    case 'raw':
      // A team's expressions are its own: they are proven by its own tests, the shape by counters.
      return { type: 'raw', badRate: `rate(${bad.metric}[$window])`, totalRate: `rate(${total.metric}[$window])`, testSeries: { bad, total } };
  }
}

/** The SLI under the canonical name, in a service of its own with nothing else. */
export function canonicalOf(service: Service, sli: Sli): { service: Service; sli: Sli } {
  // Significant labels only shape runbooks and dashboards: left in, SLIs of one shape whose
  // labels differ would each build the shape's suite again (see ShapeRegistry's key).
  const team = { name: NAME.team, description: '', chat: '', pager: '', escalation: '', escalationDeclared: false, issueTracker: '' };
  // Owners by label value only route in Alertmanager: they are no part of the rules.
  const canonicalSli: Sli = { ...sli, name: NAME.sli, description: 'The canonical SLI of a rule shape.', component: NAME.component, team, ownersBy: undefined, events: canonicalEvents(sli.events), runbook: { steps: [], links: [], commands: [] }, significantLabels: [] };
  const canonicalService: Service = {
    ...service,
    name: NAME.service,
    description: 'The canonical service of a rule shape.',
    team,
    maturitySkips: {},
    declared: { dependencies: false, escalation: false, objectives: [] },
    dependencies: [],
    heldBackBy: [],
    externalDependencies: [],
    externalRunbooks: {},
    slis: [canonicalSli],
    runbook: { steps: [], links: [], commands: [] },
    versionMetric: undefined,
    saturation: [],
    file: 'shape',
  };
  return { service: canonicalService, sli: canonicalSli };
}

/** The identity label values of an SLI, as its rules carry them. */
export function ruleIdentity(service: Service, sli: Sli): RuleIdentity {
  return { labels: { [SLI_LABELS.service]: service.name, [SLI_LABELS.sli]: sli.name, [SLI_LABELS.component]: sli.component, team: sli.team.name } };
}

/** The rules of the SLI that read raw series: its own by design, proven by its own tests. */
export function rawReads(sli: Sli): string[] {
  return [series.totalRate(sli.evaluation.rawWindow), series.badRate(sli.evaluation.rawWindow)];
}

export interface Suite {
  readonly id: string;
  /** Files of the suite, relative to its directory. */
  readonly files: ReadonlyMap<string, string>;
  readonly groups: number;
  readonly cases: number;
}

export interface Shape extends Suite {
  /** Its window suite: the derived-window test, shared by shapes whose window rules are the same. */
  readonly windows: Suite | undefined;
}

/**
 * A suite known from the pack being replaced (its manifest's records): an SLI of a reused
 * service points at it, and its files are taken from that pack instead of being built again.
 */
export interface KnownSuite {
  readonly id: string;
  readonly names: readonly string[];
  readonly groups: number;
  readonly cases: number;
}

export interface KnownShape extends KnownSuite {
  readonly windows: KnownSuite | undefined;
}

/** A shape of the previous pack's records, or undefined when they do not describe it whole. */
export function knownShape(suites: Readonly<Record<string, SuiteRecord>>, id: string): KnownShape | undefined {
  const known = (suiteId: string): KnownSuite | undefined => {
    const r = suites[suiteId];
    return r && { id: suiteId, names: r.files, groups: r.groups, cases: r.cases };
  };
  const shape = known(id);
  if (!shape) return undefined;
  const windowsId = suites[id]!.windows;
  const windows = windowsId === undefined ? undefined : known(windowsId);
  return windowsId !== undefined && !windows ? undefined : { ...shape, windows };
}

export const SHAPE_FILES = { rules: 'rules.yml', tests: 'slo.test.yml' };
export const WINDOW_FILES = { rules: 'rules.yml', tests: 'windows.test.yml', periodTests: 'period.test.yml' };

/**
 * The rules a window suite tests: the SLI's recorded windows, raw window to period. They read
 * nothing but the raw reads and each other; no objective, alert or budget is in them.
 */
export function windowRules(groups: readonly GroupObject[], names: ReadonlySet<string>): GroupObject[] {
  return groups.map((g) => ({ ...g, rules: g.rules.filter((r) => r.record !== undefined && names.has(r.record)) })).filter((g) => g.rules.length > 0);
}

/** Names of the series `windowRules` keeps for an SLI. */
export function windowSeries(sli: Sli): Set<string> {
  const windows = [sli.evaluation.rawWindow, ...planWindows(sli).map((p) => p.window)];
  return new Set(windows.flatMap((w) => [series.totalRate(w), series.badRate(w), series.errorRatio(w)]));
}

/**
 * An objective every window suite uses: the windows are the same at any objective, so SLIs
 * that differ only in it (or in the kind of counters they read) share one suite. 99%: its test
 * traffic fails 2% of 1,000 events a step, enough bad events that rounding them on a daily
 * cycle stays far inside the 1% the windows are held to (at 99.9%, 2 a step, Pyrra's 30d
 * windows read more than 1% off).
 */
const WINDOW_OBJECTIVE = 0.99;

/**
 * Suites built in this process, by the registries' keys, newest last. A suite is a function of
 * its key alone: the canonical service and the settings (its name, `slokit--service`, is no
 * service name a catalog can have, so no catalog service depends on it). A process that
 * generates many packs (a catalog repository's tests, `slokit serve` after edits) builds each
 * shape once; the bound keeps it from holding every suite it ever built.
 */
class SuiteCache<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly limit: number) {}

  get(key: string, build: () => T): T {
    if (this.entries.has(key)) {
      const hit = this.entries.get(key) as T;
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const made = build();
    this.entries.set(key, made);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    return made;
  }
}

const builtShapes = new SuiteCache<Suite>(64);
const builtWindows = new SuiteCache<Suite | undefined>(64);

/** Shapes by what decides them, so each is generated once however many SLIs share it. */
export class ShapeRegistry {
  private readonly byKey = new Map<string, Shape>();
  private readonly windowsByKey = new Map<string, Suite | undefined>();
  readonly canonical: RuleIdentity;
  /** The settings part of every key, written once: stringifying them per SLI took seconds at 25,000 SLIs. */
  private readonly settingsKey: string;

  constructor(private readonly model: Model) {
    this.settingsKey = JSON.stringify(model.settings);
    const { service, sli } = canonicalOf(anyService(model), anySli(model));
    this.canonical = ruleIdentity(service, sli);
  }

  shapeOf(service: Service, sli: Sli): Shape {
    const c = canonicalOf(service, sli);
    const key = `${JSON.stringify(c.service)}\0${this.settingsKey}`;
    let shape = this.byKey.get(key);
    if (!shape) {
      shape = { ...builtShapes.get(key, () => buildShape(this.model, c.service, c.sli)), windows: this.windowsOf(c.service, c.sli) };
      this.byKey.set(key, shape);
    }
    return shape;
  }

  /** The window suite of a canonical SLI: the same SLI over plain counters at one objective. */
  private windowsOf(service: Service, sli: Sli): Suite | undefined {
    const w = canonicalOf(service, { ...sli, kind: 'error-ratio', objective: WINDOW_OBJECTIVE, errorBudget: 1 - WINDOW_OBJECTIVE, events: COUNTERS });
    const key = `${JSON.stringify(w.service)}\0${this.settingsKey}`;
    if (!this.windowsByKey.has(key)) this.windowsByKey.set(key, builtWindows.get(key, () => buildWindows(this.model, w.service, w.sli)));
    return this.windowsByKey.get(key);
  }
}

const anyService = (model: Model) => model.services[0]!;
const anySli = (model: Model) => model.services[0]!.slis[0]!;

function suiteOf(files: Map<string, string>, groups: readonly TestGroup[]): Suite {
  const hash = createHash('sha256');
  for (const [name, text] of files) hash.update(name).update('\0').update(text).update('\0');
  return { id: hash.digest('hex').slice(0, 12), files, groups: groups.length, cases: groups.reduce((n, g) => n + (g.alert_rule_test?.length ?? 0) + (g.promql_expr_test?.length ?? 0), 0) };
}

function buildWindows(model: Model, service: Service, sli: Sli): Suite | undefined {
  const step = sli.evaluation.fastInterval.seconds;
  const tests = sliWindowTestGroups(model, service, sli, step);
  const periodStep = sli.evaluation.rawWindow.seconds / 2;
  const period = sliPeriodTestGroups(model, service, sli, periodStep);
  if (!tests.length && !period.length) return undefined;
  const groups = windowRules(sliceOf(serviceRules(model, service).groups.map(ruleObject), service.name, sli.name), windowSeries(sli));
  const order = groups.map((g) => g.name);
  const header = `${GENERATED_HEADER}\nA window suite: the derived windows of every rule shape whose window rules are these (see ../../index.json), against the exact ratio of sums.`;
  const files = new Map<string, string>();
  files.set(WINDOW_FILES.rules, toYaml({ groups }, header));
  if (tests.length) files.set(WINDOW_FILES.tests, testFileYaml({ ruleFiles: [WINDOW_FILES.rules], step, groupOrder: order, groups: tests, header }));
  if (period.length) files.set(WINDOW_FILES.periodTests, testFileYaml({ ruleFiles: [WINDOW_FILES.rules], step: periodStep, groupOrder: order, groups: period, header }));
  return suiteOf(files, [...tests, ...period]);
}

function buildShape(model: Model, service: Service, sli: Sli): Suite {
  const rules = serviceRules(model, service);
  const groups: GroupObject[] = sliceOf(rules.groups.map(ruleObject), service.name, sli.name);
  const step = sli.evaluation.fastInterval.seconds;
  const main = sliTestGroups(model, service, sli, rules.alerts, step);
  const files = new Map<string, string>();
  const header = `${GENERATED_HEADER}\nA rule shape: the full scenario suite, on canonical series, for every SLI whose rules are these under another name (see ../../index.json).`;
  files.set(SHAPE_FILES.rules, toYaml({ groups }, header));
  files.set(SHAPE_FILES.tests, testFileYaml({ ruleFiles: [SHAPE_FILES.rules], step, groupOrder: groups.map((g) => g.name), groups: main, header }));
  return suiteOf(files, main);
}
