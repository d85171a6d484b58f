/**
 * Validation layer two (semantics) and model building, in one pass over schema-valid
 * documents: references resolve, names are unique and safe, objectives leave alerts
 * possible. Every problem of the run is collected; a model is returned only when there are none.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { suggestion } from '../validate/suggestion.js';
import { displayPath, type CatalogSources } from '../load/catalog-files.js';
import { positionOf, type PathSegment, type SourceFile } from '../load/yaml-source.js';
import { checkDefaults, checkMaturity, checkPolicy, checkResource, checkScale, checkService, checkTeams } from '../validate/schema-check.js';
import { DASHBOARD_FORMS, MATURITY_CRITERIA, OUTPUT_FORMS, type OutputForm } from '../schema/catalog-schema.js';
import { libraryResources, saturationSettings, serviceResources, type SaturationDefaultsDoc, type SaturationEntryDoc } from './saturation.js';
import { checkScaleReferences, scaleFromDoc, type ScaleDoc } from './scales.js';
import { findCycles } from '../validate/dependencies.js';
import { buildJourneys } from './journeys.js';
import type { Problem } from '../validate/problems.js';
import { clean, formatNumber, formatPercent } from './decimal.js';
import { formatSeconds, parseDuration, type Duration } from './duration.js';
import { eventSource } from './events.js';
import { parseSelector } from '../promql/parse.js';
import { BUILD_INFO } from '../../sdk/src/contract.js';
import { COMPONENT_JOURNEY_LABEL, JOURNEY_LABEL, REPORT_OBJECTIVE_LABEL, RESERVED_SERVICE_NAMES, RESERVED_VARIABLES, VERSION_LABEL } from '../naming.js';
import { alertExtras, SLOKIT_ALERT_LABELS, type ExtrasDoc, type SliAlertingDoc } from './alert-extras.js';
import { policyFromDoc, policyInconsistencies, sloTarget } from './policy.js';
import type { AlertPolicy, CatalogSettings, MaturityLevel, Model, RunbookSteps, Service, Sli, Team } from './types.js';

interface DefaultsDoc {
  period: string;
  alert_policy: string;
  alert_prefix: string;
  min_events: number;
  urls: { runbooks: string; grafana: string };
  labels: { environment?: string; cluster?: string; also?: string[] };
  runbook_templates?: string;
  kubernetes?: { namespace?: string; rule_labels?: Record<string, string> };
  rulers?: { split?: boolean };
  outputs?: OutputForm[];
  alertmanager?: { receiver_url: string; group_wait?: string; group_interval?: string; repeat_interval?: string; dependency_wait?: string };
  saturation?: SaturationDefaultsDoc;
  tiers: Record<'1' | '2' | '3', { objective: number; page: boolean }>;
}

interface TeamDoc {
  name: string;
  description?: string;
  chat: string;
  pager: string;
  escalation?: string;
  issue_tracker: string;
}

interface RunbookDoc {
  steps?: string[];
  links?: { title: string; url: string }[];
  commands?: string[];
}

interface SliDoc extends Record<string, unknown> {
  kind: string;
  name: string;
  description?: string;
  component?: string;
  objective?: number;
  period?: string;
  alert_policy?: string;
  min_events?: number;
  significant_labels?: string[];
  user_facing?: boolean;
  runbook?: RunbookDoc;
  alerting?: SliAlertingDoc;
  team?: string;
  experimental?: boolean;
  report_objectives?: { name: string; objective: number }[];
  group_by?: { labels: string[]; max_values: number };
  owners_by?: { label: string; teams: Record<string, string[]> };
}

interface ServiceDoc {
  name: string;
  description: string;
  team: string;
  tier: 1 | 2 | 3;
  component?: string;
  dependencies?: (string | { service: string; inhibit?: boolean })[];
  external_runbooks?: Record<string, string>;
  alert_policy?: string;
  min_events?: number;
  runbook?: RunbookDoc;
  version_metric?: { selector: string; label: string };
  alerting?: ExtrasDoc;
  saturation?: SaturationEntryDoc[];
  maturity?: { skip: Record<string, string> };
  slis: SliDoc[];
}

/** How a dependency outside the catalog is written (a managed database, a third-party API). */
const EXTERNAL = 'external:';

/** A service's dependencies as written (a name, or a mapping with options), as service and whether its pages hold this one's back. */
function dependencyEntries(doc: { dependencies?: (string | { service: string; inhibit?: boolean })[] }): { service: string; inhibit: boolean }[] {
  return (doc.dependencies ?? []).map((d) => (typeof d === 'string' ? { service: d, inhibit: true } : { service: d.service, inhibit: d.inhibit ?? true }));
}

/** A reason shorter than this is a placeholder ("n/a", "later"), not a reason. */
const MIN_SKIP_REASON = 10;

export interface BuildOptions {
  /** Generate for this deployment scale (a file in catalog/scales/): its thresholds and objectives apply. */
  readonly scale?: string;
}

class Collector {
  readonly problems: Problem[] = [];
  add(source: SourceFile, path: readonly PathSegment[], message: string, hint: string, key = false): void {
    const problem = { file: source.file, ...positionOf(source, path, key), message, hint };
    // A catalog-wide setting that breaks every SLI is reported once, where it is set.
    if (!this.problems.some((p) => p.file === problem.file && p.line === problem.line && p.col === problem.col && p.message === message)) this.problems.push(problem);
  }
}

function runbookSteps(doc: RunbookDoc | undefined): RunbookSteps {
  return { steps: doc?.steps ?? [], links: doc?.links ?? [], commands: doc?.commands ?? [] };
}

/** The forms to write, in OUTPUT_FORMS order: `outputs` when given, else everything but the rulers unless rulers.split asks for them. */
function outputsOf(d: DefaultsDoc): OutputForm[] {
  const chosen = new Set<OutputForm>(d.outputs ?? ['grafana', 'kubernetes', 'mixin', ...(d.rulers?.split ? (['mimir', 'thanos'] as const) : [])]);
  return OUTPUT_FORMS.filter((f) => chosen.has(f));
}

/** Labels slokit writes on its recorded series and alerts: an aggregation label of the same name would be overwritten or dropped. */
const WRITTEN_LABELS: readonly string[] = [...SLOKIT_ALERT_LABELS, 'alertstate', 'le', VERSION_LABEL, REPORT_OBJECTIVE_LABEL, JOURNEY_LABEL, COMPONENT_JOURNEY_LABEL];

function checkLabels(d: DefaultsDoc, source: SourceFile, c: Collector): void {
  for (const key of ['environment', 'cluster'] as const) {
    const label = d.labels[key];
    if (label !== undefined && WRITTEN_LABELS.includes(label)) {
      c.add(source, ['labels', key], `the ${key} label cannot be "${label}": slokit writes that label on its own series and alerts`, `name the label your series carry the ${key} in (labels slokit writes: ${WRITTEN_LABELS.join(', ')})`);
    }
  }
  if (d.labels.environment !== undefined && d.labels.environment === d.labels.cluster) {
    c.add(source, ['labels', 'cluster'], `the cluster label is the environment label ("${d.labels.cluster}")`, 'name two different labels, or leave cluster out');
  }
  (d.labels.also ?? []).forEach((label, i) => {
    const at = ['labels', 'also', i];
    if (WRITTEN_LABELS.includes(label)) c.add(source, at, `SLIs cannot be aggregated by "${label}": slokit writes that label on its own series and alerts`, `name a label your series carry (labels slokit writes: ${WRITTEN_LABELS.join(', ')})`);
    else if (label === d.labels.environment || label === d.labels.cluster) c.add(source, at, `"${label}" is the ${label === d.labels.environment ? 'environment' : 'cluster'} label already`, 'list each aggregation label once');
    // Each becomes a dashboard variable of its own name, beside the ones every dashboard has.
    else if ((RESERVED_VARIABLES as readonly string[]).includes(label)) c.add(source, at, `"${label}" names a dashboard variable slokit has (${RESERVED_VARIABLES.join(', ')})`, 'aggregate by a label of another name, or relabel it at scrape time');
  });
}

/** What `outputs` cannot say: no form for the dashboards alerts link to, or rulers said twice. */
function checkOutputs(d: DefaultsDoc, source: SourceFile, c: Collector): void {
  if (!d.outputs) return;
  if (d.rulers?.split !== undefined) {
    c.add(source, ['rulers', 'split'], 'rulers.split and outputs both say which rulers to write', `remove rulers.split and list the rulers in outputs (${d.rulers.split ? 'add mimir and thanos, or the one you run' : 'leave mimir and thanos out'})`, true);
  }
  if (!d.outputs.some((f) => DASHBOARD_FORMS.includes(f))) {
    c.add(source, ['outputs'], `outputs has no form for the dashboards every alert links to (dashboard_url)`, `add ${DASHBOARD_FORMS.join(', ')} or more to outputs`);
  }
}

function settingsFrom(d: DefaultsDoc, catalogDir: string): CatalogSettings {
  const aggregation = [d.labels.environment, d.labels.cluster, ...(d.labels.also ?? [])].filter((l): l is string => !!l);
  return {
    period: parseDuration(d.period)!,
    alertPrefix: d.alert_prefix,
    runbookBaseUrl: d.urls.runbooks,
    grafanaBaseUrl: d.urls.grafana,
    aggregationLabels: [...new Set(aggregation)],
    environmentLabel: d.labels.environment,
    clusterLabel: d.labels.cluster,
    extraAggregationLabels: d.labels.also ?? [],
    runbookTemplateDir: d.runbook_templates ? resolve(catalogDir, d.runbook_templates) : undefined,
    outputs: outputsOf(d),
    saturation: saturationSettings(d.saturation),
    kubernetes: {
      namespace: d.kubernetes?.namespace,
      ruleLabels: d.kubernetes?.rule_labels ?? { release: 'kube-prometheus-stack' },
    },
    alertmanager: {
      receiverUrl: d.alertmanager?.receiver_url ?? 'https://alerts.example.com/slokit/{team}/{kind}',
      groupWait: d.alertmanager?.group_wait ?? '30s',
      groupInterval: d.alertmanager?.group_interval ?? '5m',
      repeatInterval: d.alertmanager?.repeat_interval ?? '4h',
      dependencyWait: d.alertmanager?.dependency_wait,
    },
  };
}

function loadPolicies(sources: CatalogSources, c: Collector): Map<string, AlertPolicy> {
  const policies = new Map<string, AlertPolicy>();
  for (const [fileKey, src] of [...sources.policies.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const schemaProblems = checkPolicy(src);
    c.problems.push(...schemaProblems);
    if (schemaProblems.length) continue;
    const policy = policyFromDoc(src.data);
    if (policy.name !== fileKey) {
      c.add(src, ['name'], `policy name "${policy.name}" does not match its file name "${fileKey}"`, `rename the file to ${policy.name}.yaml or set name: ${fileKey}`);
      continue;
    }
    const bad = policyInconsistencies(policy);
    for (const p of bad) c.add(src, p.path, p.message, p.hint);
    if (!bad.length) policies.set(policy.name, policy);
  }
  return policies;
}

function loadTeams(src: SourceFile, c: Collector): Map<string, Team> {
  const teams = new Map<string, Team>();
  (src.data as { teams: TeamDoc[] }).teams.forEach((t, i) => {
    if (teams.has(t.name)) {
      c.add(src, ['teams', i, 'name'], `team "${t.name}" is declared twice`, 'merge the two entries');
      return;
    }
    teams.set(t.name, {
      name: t.name,
      description: t.description ?? '',
      chat: t.chat,
      pager: t.pager,
      escalation: t.escalation ?? t.pager,
      escalationDeclared: t.escalation !== undefined && t.escalation.trim() !== '',
      issueTracker: t.issue_tracker,
    });
  });
  return teams;
}

function loadScales(sources: CatalogSources, c: Collector): Map<string, { src: SourceFile; doc: ScaleDoc }> {
  const scales = new Map<string, { src: SourceFile; doc: ScaleDoc }>();
  for (const [fileKey, src] of [...sources.scales.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!pushAll(c, checkScale(src))) continue;
    const doc = src.data as ScaleDoc;
    if (doc.name !== fileKey) c.add(src, ['name'], `scale name "${doc.name}" does not match its file name "${fileKey}"`, `rename the file to ${doc.name}.yaml or set name: ${fileKey}`);
    else scales.set(doc.name, { src, doc });
  }
  return scales;
}

function loadMaturity(src: SourceFile | undefined, c: Collector): MaturityLevel[] {
  if (!src || !pushAll(c, checkMaturity(src))) return [];
  const doc = src.data as { levels: { level: number; name: string; description?: string; criteria: MaturityLevel['criteria'] }[] };
  const levels: MaturityLevel[] = [];
  doc.levels.forEach((l, i) => {
    if (l.level !== i + 1) c.add(src, ['levels', i, 'level'], `level ${l.level} is in position ${i + 1}`, 'number the levels 1, 2, 3, ... in order; each level includes the ones below it');
    const seen = doc.levels.slice(0, i).flatMap((x) => x.criteria);
    l.criteria.forEach((cr, j) => {
      if (seen.includes(cr) || l.criteria.indexOf(cr) !== j) c.add(src, ['levels', i, 'criteria', j], `criterion "${cr}" is listed twice`, 'levels are cumulative: list each criterion once, at the lowest level that needs it');
    });
    levels.push({ level: l.level, name: l.name, description: l.description ?? '', criteria: l.criteria });
  });
  return levels;
}

export function buildModel(sources: CatalogSources, options: BuildOptions = {}): { model?: Model; problems: Problem[] } {
  const c = new Collector();
  const scales = loadScales(sources, c);
  const scale = options.scale !== undefined ? scales.get(options.scale) : undefined;
  if (options.scale !== undefined && !scale && ![...sources.scales.keys()].includes(options.scale)) {
    c.problems.push({ file: displayPath(join(sources.dir, 'scales')), line: 1, col: 1, message: `scale "${options.scale}" not found`, hint: scales.size ? `${suggestion(options.scale, [...scales.keys()])}scales of this catalog, smallest first: ${[...scales.values()].sort((a, b) => a.doc.users - b.doc.users).map((x) => x.doc.name).join(', ')}` : 'this catalog has no valid scales/NAME.yaml; add one' });
  }
  const resourceFiles = new Map([...sources.resources].filter(([, src]) => pushAll(c, checkResource(src))));
  const library = libraryResources(resourceFiles, (src, p, m, h) => c.add(src, p, m, h));
  const maturity = loadMaturity(sources.maturity, c);
  const defaultsOk = sources.defaults && pushAll(c, checkDefaults(sources.defaults));
  const teamsOk = sources.teams && pushAll(c, checkTeams(sources.teams));
  const policies = loadPolicies(sources, c);
  const teams = teamsOk && sources.teams ? loadTeams(sources.teams, c) : new Map<string, Team>();
  const defaults = defaultsOk && sources.defaults ? (sources.defaults.data as DefaultsDoc) : undefined;
  const settings = defaults ? settingsFrom(defaults, sources.dir) : undefined;
  if (defaults && sources.defaults) {
    checkOutputs(defaults, sources.defaults, c);
    checkLabels(defaults, sources.defaults, c);
  }
  if (settings?.runbookTemplateDir && sources.defaults) {
    const dir = settings.runbookTemplateDir;
    const inside = dir.startsWith(resolve(sources.dir) + sep);
    if (!inside || !existsSync(dir) || !statSync(dir).isDirectory()) {
      c.add(sources.defaults, ['runbook_templates'], `runbook_templates "${defaults!.runbook_templates}" is not a folder inside the catalog`, 'create the folder next to defaults.yaml, or remove runbook_templates');
    }
  }

  if (defaults && sources.defaults && !policies.has(defaults.alert_policy) && !sources.policies.has(defaults.alert_policy)) {
    c.add(sources.defaults, ['alert_policy'], `alert policy "${defaults.alert_policy}" not found`, `${suggestion(defaults.alert_policy, [...sources.policies.keys()])}policies live in alerts/policies/ or the catalog's policies/ folder`);
  }

  // Every service with a readable name counts for references, even one with other problems,
  // so a mistake in one file does not turn into "unknown dependency" errors in others.
  const docs: { src: SourceFile; doc: ServiceDoc; invalidSlis: ReadonlySet<number> }[] = [];
  const byName = new Map<string, SourceFile>();
  for (const src of sources.services) {
    if (!src.parsed) continue; // YAML syntax errors were reported by the loader
    const checked = checkService(src);
    c.problems.push(...checked.problems);
    const name = (src.data as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && !byName.has(name)) byName.set(name, src);
    if (checked.shellOk) docs.push({ src, doc: src.data as ServiceDoc, invalidSlis: checked.invalidSlis });
  }

  for (const { src, doc } of docs) {
    const first = byName.get(doc.name);
    if (first && first !== src) c.add(src, ['name'], `service "${doc.name}" is already declared in ${first.file}`, 'service names must be unique; rename one of them');
    if ((RESERVED_SERVICE_NAMES as readonly string[]).includes(doc.name)) {
      c.add(src, ['name'], `service name "${doc.name}" is reserved (a platform dashboard, or a file name Windows refuses)`, 'choose another name');
    }
    const fileBase = basename(src.file).replace(/\.ya?ml$/, '');
    if (fileBase !== doc.name) c.add(src, ['name'], `service "${doc.name}" is in a file named "${basename(src.file)}"`, `rename the file to ${doc.name}.yaml so out/ files and catalog files match`);
  }

  const services: Service[] = [];
  for (const { src, doc, invalidSlis } of docs) {
    const team = teams.get(doc.team);
    if (teamsOk && !team) c.add(src, ['team'], `team "${doc.team}" is not in teams.yaml`, `${suggestion(doc.team, [...teams.keys()])}add it to teams.yaml or use an existing team`);
    const entries = dependencyEntries(doc);
    const deps = entries.map((e) => e.service);
    deps.forEach((dep, i) => {
      if (dep === doc.name) c.add(src, ['dependencies', i], `service "${doc.name}" depends on itself`, 'remove it from its own dependencies');
      else if (!dep.startsWith(EXTERNAL) && !byName.has(dep)) c.add(src, ['dependencies', i], `dependency "${dep}" is not a service in the catalog`, `${suggestion(dep, [...byName.keys()])}add a catalog entry for it, write external:${dep} for one outside the catalog, or remove the dependency`);
    });
    deps.forEach((dep, i) => {
      if (deps.indexOf(dep) !== i) c.add(src, ['dependencies', i], `dependency "${dep}" is listed twice`, 'list each dependency once');
    });
    for (const name of Object.keys(doc.external_runbooks ?? {})) {
      if (!deps.includes(`${EXTERNAL}${name}`)) c.add(src, ['external_runbooks', name], `external_runbooks names ${name}, which is not an external dependency of ${doc.name}`, `add external:${name} to dependencies, or remove its runbook`);
    }
    if (!defaults || !settings) continue;
    const scaled = scale?.doc.services[doc.name];
    // Saturation only needs the evaluation intervals; an unknown policy is reported with the SLIs.
    const servicePolicy = policies.get(doc.alert_policy ?? defaults.alert_policy) ?? policies.get(defaults.alert_policy);
    const saturation = servicePolicy
      ? serviceResources({ src, entries: doc.saturation ?? [], library, settings: settings.saturation, aggregationLabels: settings.aggregationLabels, evaluation: servicePolicy.evaluation, scale: scaled?.saturation, scaleName: scale?.doc.name, report: (s, p, m, h) => c.add(s, p, m, h) })
      : [];
    checkMaturitySkips(src, doc, c);
    // An SLI's own team, located where it is named; the service's otherwise.
    const ownerOf = (sliTeam: string | undefined, path: PathSegment[], key = false): Team | undefined => {
      if (sliTeam === undefined) return team;
      const own = teams.get(sliTeam);
      if (teamsOk && !own) c.add(src, path, `team "${sliTeam}" is not in teams.yaml`, `${suggestion(sliTeam, [...teams.keys()])}add it to teams.yaml, use an existing team, or leave team out for the service's (${doc.team})`, key);
      return own;
    };
    if (!team) {
      // Still check the SLIs, so every problem of the run is reported together.
      buildSlis(src, doc, invalidSlis, defaults, settings, policies, sources, c, scaled, ownerOf);
      continue;
    }
    const slis = buildSlis(src, doc, invalidSlis, defaults, settings, policies, sources, c, scaled, ownerOf);
    services.push({
      name: doc.name,
      description: doc.description,
      team,
      tier: doc.tier,
      pages: defaults.tiers[String(doc.tier) as '1' | '2' | '3'].page,
      dependencies: deps.filter((d) => !d.startsWith(EXTERNAL)).sort(),
      heldBackBy: entries.filter((e) => e.inhibit && !e.service.startsWith(EXTERNAL)).map((e) => e.service).sort(),
      externalDependencies: deps.filter((d) => d.startsWith(EXTERNAL)).map((d) => d.slice(EXTERNAL.length)).sort(),
      externalRunbooks: doc.external_runbooks ?? {},
      slis,
      runbook: runbookSteps(doc.runbook),
      versionMetric: versionMetric(src, doc, slis, c),
      saturation,
      alerting: alertExtras(settings, doc.alerting, undefined, { service: (p, m, h) => c.add(src, p, m, h, true), sli: () => undefined }),
      maturitySkips: doc.maturity?.skip ?? {},
      declared: {
        dependencies: doc.dependencies !== undefined,
        escalation: team.escalationDeclared,
        objectives: doc.slis.filter((s) => s.objective !== undefined || scaled?.slis?.[s.name]?.objective !== undefined).map((s) => s.name),
      },
      file: src.file,
    });
  }

  // A service that depends on itself is reported above, once; as a cycle it would be reported again.
  const graph = new Map(docs.map(({ doc }) => [doc.name, dependencyEntries(doc).map((e) => e.service).filter((d) => d !== doc.name)] as const));
  // (a duplicate name keeps the first file's edges; the duplicate itself is reported above)
  for (const cycle of findCycles(graph)) {
    const src = byName.get(cycle[0]!)!;
    const doc = docs.find((d) => d.src === src)!.doc;
    c.add(src, ['dependencies', dependencyEntries(doc).findIndex((e) => e.service === cycle[1]!)], `dependency cycle: ${cycle.join(' -> ')}`, 'dependencies must form a tree; remove the edge that points back');
  }

  // SLIs as the files declare them: one that did not build (its problem is reported) is no unknown name to a scale.
  const declared = new Map(docs.map(({ doc }) => [doc.name, new Set((doc.slis ?? []).map((s) => (s as { name?: unknown }).name))] as const));
  for (const { src, doc } of scales.values()) checkScaleReferences(src, doc, services, declared, (s, p, m, h, key) => c.add(s, p, m, h, key));

  const journeys = defaults && settings
    ? buildJourneys(sources.journeys, { settings, defaultPolicy: defaults.alert_policy, minEvents: defaults.min_events, policies, teams, services: new Map(services.map((s) => [s.name, s])), declared })
    : { journeys: [], problems: [] };
  c.problems.push(...journeys.problems);

  if (c.problems.length || !settings) return { problems: c.problems };
  services.sort((a, b) => a.name.localeCompare(b.name));
  const allScales = [...scales.values()].map((s) => scaleFromDoc(s.doc)).sort((a, b) => a.users - b.users || a.name.localeCompare(b.name));
  return {
    model: {
      settings,
      teams: [...teams.values()].sort((a, b) => a.name.localeCompare(b.name)),
      services,
      scales: allScales,
      scale: scale ? allScales.find((s) => s.name === scale.doc.name) : undefined,
      maturity,
      journeys: journeys.journeys,
    },
    problems: [],
  };
}

/** The declared version series, or the SDK's build info for services built on the SDK. */
function versionMetric(src: SourceFile, doc: ServiceDoc, slis: readonly Sli[], c: Collector): Service['versionMetric'] {
  if (doc.version_metric) {
    const r = parseSelector(doc.version_metric.selector);
    if (!r.ok) {
      c.add(src, ['version_metric', 'selector'], r.error, 'write a series selector such as gitlab_build_info{job="gitaly"}');
      return undefined;
    }
    return { selector: r.value, label: doc.version_metric.label };
  }
  if (slis.some((s) => s.kind === 'http' || s.kind === 'job')) {
    return { selector: { metric: BUILD_INFO.name, matchers: [{ label: 'job', op: '=', value: doc.name }] }, label: BUILD_INFO.labels[0]! };
  }
  return undefined;
}

function checkMaturitySkips(src: SourceFile, doc: ServiceDoc, c: Collector): void {
  for (const [criterion, reason] of Object.entries(doc.maturity?.skip ?? {})) {
    if (!(MATURITY_CRITERIA as readonly string[]).includes(criterion)) {
      c.add(src, ['maturity', 'skip', criterion], `"${criterion}" is not a maturity criterion`, `${suggestion(criterion, MATURITY_CRITERIA)}criteria: ${MATURITY_CRITERIA.join(', ')}`, true);
    } else if (reason.trim().length < MIN_SKIP_REASON) {
      c.add(src, ['maturity', 'skip', criterion], `skipping "${criterion}" needs a written reason (at least ${MIN_SKIP_REASON} characters); the scorecard shows it`, 'say in a sentence why this criterion does not apply to the service');
    }
  }
}

function pushAll(c: Collector, problems: Problem[]): boolean {
  c.problems.push(...problems);
  return problems.length === 0;
}

function buildSlis(
  src: SourceFile,
  doc: ServiceDoc,
  invalidSlis: ReadonlySet<number>,
  defaults: DefaultsDoc,
  settings: CatalogSettings,
  policies: ReadonlyMap<string, AlertPolicy>,
  sources: CatalogSources,
  c: Collector,
  scaled: ScaleDoc['services'][string] | undefined,
  ownerOf: (sliTeam: string | undefined, path: PathSegment[], key?: boolean) => Team | undefined,
): Sli[] {
  const slis: Sli[] = [];
  const names = new Set<string>();
  const tier = defaults.tiers[String(doc.tier) as '1' | '2' | '3'];
  doc.slis.forEach((s, i) => {
    const at = (p: PathSegment[]) => ['slis', i, ...p];
    if (names.has(s.name)) {
      c.add(src, at(['name']), `SLI "${s.name}" is declared twice in service "${doc.name}"`, 'SLI names must be unique within a service');
      return;
    }
    names.add(s.name);
    if (invalidSlis.has(i)) return; // its schema problems are already reported
    const policyName = s.alert_policy ?? doc.alert_policy ?? defaults.alert_policy;
    const policy = policies.get(policyName);
    if (!policy) {
      // A policy whose own file is broken has its problems reported in that file, once.
      if ((s.alert_policy ?? doc.alert_policy) && !sources.policies.has(policyName)) {
        c.add(src, s.alert_policy ? at(['alert_policy']) : ['alert_policy'], `alert policy "${policyName}" not found`, `${suggestion(policyName, [...sources.policies.keys()])}policies live in alerts/policies/ or the catalog's policies/ folder`);
      }
      return;
    }
    const events = eventSource(s, policy.evaluation.rawWindow.text, settings.aggregationLabels, (p, m, h) => c.add(src, at(p), m, h));
    const objectivePercent = scaled?.slis?.[s.name]?.objective ?? s.objective ?? tier.objective;
    const period: Duration = s.period ? parseDuration(s.period)! : settings.period;
    const pages = s.alerting?.pages ?? tier.page;
    const target = sloTarget(policy, policyName, period, objectivePercent, pages);
    const { errorBudget, alerts } = target;
    const owner = ownerOf(s.team, at(['team']));
    if (s.experimental) checkExperimental(s, (p, m, h) => c.add(src, at(p), m, h, true));
    for (const a of alerts) {
      if (a.threshold >= 1) {
        c.add(
          src,
          s.objective !== undefined ? at(['objective']) : at(['name']),
          `objective ${formatNumber(objectivePercent)}% makes the ${a.name} alert impossible: it needs an error ratio above ${formatPercent(a.threshold)} (${formatNumber(a.factor)} x ${formatPercent(errorBudget)} budget)`,
          `raise the objective to at least ${formatNumber(clean(100 - 100 / a.factor))}% or use an alert policy without the ${a.long.text}/${a.short.text} window`,
        );
      }
    }
    for (const a of alerts.filter((x) => x.factor < 1)) {
      const where: [SourceFile, PathSegment[]] = s.period ? [src, at(['period'])] : sources.defaults ? [sources.defaults, ['period']] : [src, at(['name'])];
      c.add(
        ...where,
        `with a ${period.text} period the ${a.name} alert of policy "${policyName}" (${formatNumber(clean(a.budgetSpent * 100))}% of the budget in ${a.long.text}) fires at ${formatNumber(Math.round(a.factor * 100) / 100)}x the sustainable burn rate: it would fire while the objective is being met`,
        `use a period of at least ${formatSeconds(Math.ceil(a.long.seconds / a.budgetSpent / 3600) * 3600)}, or an alert policy whose ${a.long.text} window spends at least ${formatNumber(Math.ceil((a.long.seconds / period.seconds) * 10_000) / 100)}% of the budget (for 28d: alert_policy: four-weeks)`,
      );
    }
    const longest = Math.max(...alerts.map((a) => a.long.seconds));
    if (period.seconds < longest) {
      c.add(src, s.period ? at(['period']) : at(['name']), `period ${period.text} is shorter than the longest alert window`, 'use a period of at least the longest window (e.g. 30d)');
    }
    if (!events || !owner) return;
    slis.push({
      name: s.name,
      description: s.description ?? `${s.name} of ${doc.name}`,
      kind: s.kind as Sli['kind'],
      component: s.component ?? doc.component ?? doc.name,
      ...target,
      trafficCessation: policy.trafficCessation,
      minEvents: s.min_events ?? doc.min_events ?? defaults.min_events,
      significantLabels: s.significant_labels ?? [],
      userFacing: s.user_facing ?? doc.tier === 1,
      events,
      runbook: runbookSteps(s.runbook),
      alerting: alertExtras(settings, doc.alerting, s.alerting, {
        service: (p, m, h) => c.add(src, p, m, h, true),
        sli: (p, m, h) => c.add(src, at(p), m, h, true),
      }),
      team: owner,
      pages,
      cessationAlert: s.alerting?.traffic_cessation ?? true,
      experimental: s.experimental ?? false,
      reportObjectives: reportObjectives(s, (p, m, h) => c.add(src, at(p), m, h)),
      groupBy: groupBy(s, settings, (p, m, h) => c.add(src, at(p), m, h)),
      ownersBy: ownersBy(s, (name, p) => ownerOf(name, at(p), true), (p, m, h) => c.add(src, at(p), m, h)),
    });
  });
  return slis;
}

function groupBy(s: SliDoc, settings: CatalogSettings, add: (path: PathSegment[], message: string, hint: string) => void): Sli['groupBy'] {
  const g = s.group_by;
  if (!g) return undefined;
  if (s.kind === 'raw') add(['group_by'], 'a raw SLI groups in its own expressions', `keep the labels in every sum of bad_rate and total_rate (sum by (${[...settings.aggregationLabels, ...g.labels].join(', ')}) (...)) and remove group_by; or use a kind that reads series`);
  g.labels.forEach((label, i) => {
    if (settings.aggregationLabels.includes(label)) add(['group_by', 'labels', i], `"${label}" is an aggregation label of the catalog: every SLI is per ${label} already`, 'remove it from group_by');
    else if (WRITTEN_LABELS.includes(label)) add(['group_by', 'labels', i], `SLIs cannot be grouped by "${label}": slokit writes that label on its own series and alerts`, 'group by a label your series carry');
  });
  return { labels: g.labels, maxValues: g.max_values };
}

/** Owners by label value, each team looked up where it is named; a value owned twice is refused. */
function ownersBy(s: SliDoc, teamOf: (name: string, path: PathSegment[]) => Team | undefined, add: (path: PathSegment[], message: string, hint: string) => void): Sli['ownersBy'] {
  const o = s.owners_by;
  if (!o) return undefined;
  // Only a group_by label is on the SLI's alerts, for Alertmanager to route on.
  if (!s.group_by?.labels.includes(o.label)) {
    add(['owners_by', 'label'], `owners_by reads "${o.label}", which is not a group_by label of the SLI: its alerts do not carry it`, `add group_by: { labels: [${o.label}], max_values: N } so each ${o.label} is an SLO of its own, or remove owners_by`);
  }
  const ownerOfValue = new Map<string, string>();
  const owners: { team: Team; values: string[] }[] = [];
  for (const [name, values] of Object.entries(o.teams)) {
    const team = teamOf(name, ['owners_by', 'teams', name]);
    values.forEach((v, i) => {
      const earlier = ownerOfValue.get(v);
      if (earlier !== undefined) add(['owners_by', 'teams', name, i], `${o.label} "${v}" is owned by ${earlier} and by ${name}`, 'give each value one owner');
      else ownerOfValue.set(v, name);
    });
    if (team) owners.push({ team, values });
  }
  return { label: o.label, owners };
}

function reportObjectives(s: SliDoc, add: (path: PathSegment[], message: string, hint: string) => void): Sli['reportObjectives'] {
  const list = s.report_objectives ?? [];
  list.forEach((o, i) => {
    if (list.findIndex((x) => x.name === o.name) !== i) add(['report_objectives', i, 'name'], `report objective "${o.name}" is listed twice`, 'give each objective set its own name');
    // OpenSLO export names the objective that alerts after the SLI: a report objective of that name would be taken for it.
    else if (o.name === s.name) add(['report_objectives', i, 'name'], `report objective "${o.name}" has the SLI's own name`, 'name it after what it is, e.g. sla or contract');
  });
  return list.map((o) => ({ name: o.name, objective: clean(o.objective / 100), errorBudget: clean((100 - o.objective) / 100) }));
}

/** An experimental SLI has no alerts: settings of its alerts say the author expects some. */
function checkExperimental(s: SliDoc, add: (path: PathSegment[], message: string, hint: string) => void): void {
  const a = s.alerting ?? {};
  for (const key of ['pages', 'traffic_cessation', 'labels', 'annotations', 'page', 'ticket'] as const) {
    if (a[key] !== undefined) add(['alerting', key], `SLI "${s.name}" is experimental, so it has no alerts for alerting.${key} to shape`, `remove alerting.${key}, or remove experimental: true once the SLI may alert`);
  }
  if (s.min_events !== undefined) add(['min_events'], `SLI "${s.name}" is experimental: min_events only holds back alerts, and it has none`, 'remove min_events, or remove experimental: true once the SLI may alert');
}
