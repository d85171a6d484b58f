/**
 * User journeys (catalog/journeys/NAME.yaml) checked and built: each component names an SLI of
 * the catalog or another journey, and records every window the journey needs, over the same
 * period. A journey is recorded from its components' recorded rates, so a component that does
 * not record one of the journey's windows, or measures another period, would make the journey
 * a different SLO than it says: refused, located, with the fix.
 */
import { suggestion } from '../validate/suggestion.js';
import { positionOf, type SourceFile, type PathSegment } from '../load/yaml-source.js';
import { checkJourney } from '../validate/schema-check.js';
import { findCycles } from '../validate/dependencies.js';
import type { Problem } from '../validate/problems.js';
import type { JourneyWeighting } from '../schema/catalog-schema.js';
import { windowsOf } from '../emit/window-plan.js';
import { CURRENT_WINDOW } from '../naming.js';
import { clean, formatNumber, formatPercent } from './decimal.js';
import { parseDuration, type Duration } from './duration.js';
import { sloTarget } from './policy.js';
import type { AlertPolicy, CatalogSettings, Journey, JourneyComponent, Service, Team } from './types.js';

interface JourneyDoc {
  name: string;
  description: string;
  team: string;
  objective: number;
  period?: string;
  alert_policy?: string;
  weighting?: JourneyWeighting;
  components: { service?: string; sli?: string; journey?: string; weight?: number }[];
  alerting?: { burn_alerts?: boolean; pages?: boolean };
}

type Report = (source: SourceFile, path: readonly PathSegment[], message: string, hint: string) => void;

export interface JourneyContext {
  readonly settings: CatalogSettings;
  readonly defaultPolicy: string;
  readonly minEvents: number;
  readonly policies: ReadonlyMap<string, AlertPolicy>;
  readonly teams: ReadonlyMap<string, Team>;
  /** Services that built, by name. */
  readonly services: ReadonlyMap<string, Service>;
  /** SLI names each service file declares (one that did not build has its problem reported already). */
  readonly declared: ReadonlyMap<string, ReadonlySet<unknown>>;
}

/** What each weighting means, in the words runbooks and dashboards use. */
export const WEIGHTING_TEXT: Record<JourneyWeighting, string> = {
  events: "every event of every component counts, as many times as the component's weight: the share of users' steps that failed. Busy components weigh more.",
  components: "each component's error ratio counts by its weight, however few events it has: a quiet step that fails is not drowned by a busy one that works.",
};

/** The windows a journey records, shortest first: its policy's alert windows, the current hour, its period. */
export function journeyWindows(journey: Pick<Journey, 'alerts' | 'period'>): Duration[] {
  const all = new Map<number, Duration>();
  for (const a of journey.alerts) for (const w of [a.long, a.short]) all.set(w.seconds, w);
  all.set(CURRENT_WINDOW.seconds, CURRENT_WINDOW);
  all.set(journey.period.seconds, journey.period);
  return [...all.values()].sort((a, b) => a.seconds - b.seconds);
}

export const componentName = (c: JourneyComponent) => (c.type === 'sli' ? `${c.service}/${c.sli}` : `journey ${c.journey}`);

/** Journeys checked and built, with every problem found (located). */
export function buildJourneys(sources: readonly SourceFile[], ctx: JourneyContext): { journeys: Journey[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const report: Report = (source, path, message, hint) => problems.push({ file: source.file, ...positionOf(source, path, false), message, hint });
  const docs: { src: SourceFile; doc: JourneyDoc }[] = [];
  for (const src of sources) {
    if (!src.parsed) continue;
    const schemaProblems = checkJourney(src);
    problems.push(...schemaProblems);
    if (schemaProblems.length) continue;
    const doc = src.data as JourneyDoc;
    const fileBase = src.file.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
    if (fileBase !== doc.name) report(src, ['name'], `journey "${doc.name}" is in a file named "${fileBase}.yaml"`, `rename the file to ${doc.name}.yaml`);
    else if (docs.some((d) => d.doc.name === doc.name)) report(src, ['name'], `journey "${doc.name}" is declared twice`, 'journey names must be unique');
    else docs.push({ src, doc });
  }
  const byName = new Map(docs.map((d) => [d.doc.name, d]));
  const built = new Map<string, Journey>();
  for (const { src, doc } of docs) {
    const j = buildOne(src, doc, ctx, report);
    if (j) built.set(j.name, j);
  }
  // Second pass: a journey inside another must be one the other can read (period, windows, events).
  for (const { src, doc } of docs) {
    const parent = built.get(doc.name);
    doc.components.forEach((c, i) => {
      if (c.journey === undefined) return;
      const at = ['components', i, 'journey'];
      if (!byName.has(c.journey)) {
        report(src, at, `journey "${c.journey}" is not in journeys/`, `${suggestion(c.journey, [...byName.keys()])}add journeys/${c.journey}.yaml or name an existing journey`);
        return;
      }
      const child = built.get(c.journey);
      if (!parent || !child) return; // its own problems are reported in its file
      if (child.period.seconds !== parent.period.seconds) report(src, at, `journey "${child.name}" has a ${child.period.text} period and ${parent.name} ${parent.period.text}`, 'give both the same period: a budget is spent over one period');
      const childWindows = new Set(journeyWindows(child).map((w) => w.seconds));
      const missing = journeyWindows(parent).filter((w) => !childWindows.has(w.seconds));
      if (missing.length) report(src, at, `journey "${child.name}" does not record the ${missing.map((w) => w.text).join(', ')} window(s) ${parent.name} reads`, `give both the same alert_policy (${child.name} uses ${child.policyName}, ${parent.name} ${parent.policyName})`);
      if (parent.weighting === 'events' && child.weighting === 'components') {
        report(src, at, `journey "${child.name}" is weighted by components, so it has no events for ${parent.name}'s events weighting to count`, `set weighting: components on ${parent.name}, or weighting: events on ${child.name}`);
      }
    });
  }
  const graph = new Map(docs.map(({ doc }) => [doc.name, doc.components.flatMap((c) => (c.journey === undefined ? [] : [c.journey]))] as const));
  for (const cycle of findCycles(graph)) {
    const { src, doc } = byName.get(cycle[0]!)!;
    report(src, ['components', doc.components.findIndex((c) => c.journey === cycle[1]), 'journey'], `journeys contain each other: ${cycle.join(' -> ')}`, 'a journey can contain another only if that one does not contain it back; remove the component that points back');
  }
  return { journeys: problems.length ? [] : ordered([...built.values()]), problems };
}

/** Each journey after the journeys it contains (their rules must be recorded before its own read them), then by name. */
function ordered(journeys: Journey[]): Journey[] {
  const byName = new Map(journeys.map((j) => [j.name, j]));
  const out: Journey[] = [];
  const placed = new Set<string>();
  const place = (j: Journey, path: Set<string>) => {
    if (placed.has(j.name) || path.has(j.name)) return;
    path.add(j.name);
    for (const c of j.components) if (c.type === 'journey' && byName.has(c.journey)) place(byName.get(c.journey)!, path);
    placed.add(j.name);
    out.push(j);
  };
  for (const j of [...journeys].sort((a, b) => a.name.localeCompare(b.name))) place(j, new Set());
  return out;
}

function buildOne(src: SourceFile, doc: JourneyDoc, ctx: JourneyContext, report: Report): Journey | undefined {
  let ok = true;
  const fail = (path: readonly PathSegment[], message: string, hint: string) => {
    ok = false;
    report(src, path, message, hint);
  };
  const team = ctx.teams.get(doc.team);
  if (!team) fail(['team'], `team "${doc.team}" is not in teams.yaml`, `${suggestion(doc.team, [...ctx.teams.keys()])}add it to teams.yaml or use an existing team`);
  const policyName = doc.alert_policy ?? ctx.defaultPolicy;
  const policy = ctx.policies.get(policyName);
  if (!policy) {
    fail(doc.alert_policy ? ['alert_policy'] : ['name'], `alert policy "${policyName}" not found`, `${suggestion(policyName, [...ctx.policies.keys()])}policies live in alerts/policies/ or the catalog's policies/ folder`);
    return undefined;
  }
  const period = doc.period ? parseDuration(doc.period)! : ctx.settings.period;
  const pages = doc.alerting?.pages ?? false;
  const burn = doc.alerting?.burn_alerts ?? false;
  const target = sloTarget(policy, policyName, period, doc.objective, pages);
  const { alerts } = target;
  if (burn) {
    for (const a of alerts) {
      if (a.threshold >= 1) fail(['objective'], `objective ${formatNumber(doc.objective)}% makes the ${a.name} alert impossible: it needs an error ratio above ${formatPercent(a.threshold)}`, `raise the objective to at least ${formatNumber(clean(100 - 100 / a.factor))}%, or leave burn_alerts off`);
      // With the catalog's period and policy this is the catalog's mistake, reported once where the period is set.
      if (a.factor < 1 && (doc.period || doc.alert_policy)) fail(doc.period ? ['period'] : ['alert_policy'], `with a ${period.text} period the ${a.name} alert fires below the sustainable burn rate (${formatNumber(Math.round(a.factor * 100) / 100)}x)`, 'use the period the policy is made for, or another alert_policy');
    }
  }
  const windows = journeyWindows({ alerts, period });
  const components: JourneyComponent[] = [];
  doc.components.forEach((c, i) => {
    const at = (key?: string): PathSegment[] => (key ? ['components', i, key] : ['components', i]);
    const weight = c.weight ?? 1;
    const names = doc.components.slice(0, i).map((x) => JSON.stringify([x.service, x.sli, x.journey]));
    if (names.includes(JSON.stringify([c.service, c.sli, c.journey]))) {
      fail(at(), 'this component is listed twice', 'list each component once; give it a weight instead');
      return;
    }
    if (c.journey !== undefined) {
      if (c.service !== undefined || c.sli !== undefined) fail(at('journey'), 'a component names a journey, or a service and its SLI, not both', 'split it into two components');
      else if (c.journey === doc.name) fail(at('journey'), `journey "${doc.name}" contains itself`, 'remove the component');
      else components.push({ type: 'journey', journey: c.journey, weight });
      return;
    }
    if (c.service === undefined || c.sli === undefined) {
      fail(at(), `a component names ${c.service === undefined ? 'no service' : 'no sli'}`, 'write service: NAME and sli: NAME (an SLI of that service), or journey: NAME');
      return;
    }
    const service = ctx.services.get(c.service);
    if (!service) {
      if (!ctx.declared.has(c.service)) fail(at('service'), `service "${c.service}" is not in the catalog`, `${suggestion(c.service, [...ctx.declared.keys()].sort())}name a service of services/`);
      else ok = false; // the service's own problems are reported in its file
      return;
    }
    const sli = service.slis.find((s) => s.name === c.sli);
    if (!sli) {
      if (!ctx.declared.get(c.service)?.has(c.sli)) fail(at('sli'), `service "${c.service}" has no SLI "${c.sli}"`, `${suggestion(c.sli, service.slis.map((s) => s.name))}its SLIs: ${service.slis.map((s) => s.name).join(', ')}`);
      else ok = false;
      return;
    }
    if (sli.period.seconds !== period.seconds) {
      fail(at('sli'), `${c.service}/${c.sli} has a ${sli.period.text} period and the journey ${period.text}`, `give the journey period: ${sli.period.text}, or the SLI the journey's period: a budget is spent over one period`);
      return;
    }
    const recorded = new Set(windowsOf(sli).map((w) => w.seconds));
    const missing = windows.filter((w) => !recorded.has(w.seconds));
    if (missing.length) {
      fail(at('sli'), `${c.service}/${c.sli} does not record the ${missing.map((w) => w.text).join(', ')} window(s) the journey reads`, `give the journey the SLI's alert policy (alert_policy: ${sli.policyName})`);
      return;
    }
    components.push({ type: 'sli', service: c.service, sli: c.sli, weight });
  });
  if (!ok || !team) return undefined;
  return {
    name: doc.name,
    description: doc.description,
    team,
    ...target,
    weighting: doc.weighting ?? 'events',
    components,
    burnAlerts: burn,
    pages,
    minEvents: ctx.minEvents,
    file: src.file,
  };
}

/** Events of one SLI (or journey) over some span: all and bad, or their rates. */
export interface EventSums {
  readonly total: number;
  readonly bad: number;
}

export interface JourneyFigures {
  /** The journey's error ratio; undefined when none of its components had events. */
  readonly ratio: number | undefined;
  /** Weighted events (events weighting), what an events-weighted journey that contains this one counts. */
  readonly total: number;
  readonly bad: number;
  /** Each component in order: its error ratio and its share of the journey's error ratio (undefined when it had no events, or the journey none bad). */
  readonly parts: readonly { readonly component: JourneyComponent; readonly ratio: number | undefined; readonly share: number | undefined }[];
}

/**
 * A journey over a span from its components' events there: the definition the recording rules
 * implement (emit/journeys/rules.ts), written as plain arithmetic. Events weighting: Σ w·bad /
 * Σ w·total; components weighting: Σ w·ratio / Σ w over the components that had events.
 */
export function combineJourney(journeys: readonly Journey[], journey: Journey, leaf: (service: string, sli: string) => EventSums | undefined): JourneyFigures {
  const parts = journey.components.map((c) => {
    if (c.type === 'sli') {
      const s = leaf(c.service, c.sli) ?? { total: 0, bad: 0 };
      return { component: c, total: s.total, bad: s.bad, ratio: s.total > 0 ? s.bad / s.total : undefined };
    }
    const child = combineJourney(journeys, journeys.find((j) => j.name === c.journey)!, leaf);
    return { component: c, total: child.total, bad: child.bad, ratio: child.ratio };
  });
  const total = parts.reduce((s, p) => s + p.component.weight * p.total, 0);
  const bad = parts.reduce((s, p) => s + p.component.weight * p.bad, 0);
  if (journey.weighting === 'events') {
    return { ratio: total > 0 ? bad / total : undefined, total, bad, parts: parts.map((p) => ({ component: p.component, ratio: p.ratio, share: bad > 0 && p.ratio !== undefined ? (p.component.weight * p.bad) / bad : undefined })) };
  }
  const counted = parts.filter((p) => p.ratio !== undefined);
  const weights = counted.reduce((s, p) => s + p.component.weight, 0);
  const weightedBad = counted.reduce((s, p) => s + p.component.weight * p.ratio!, 0);
  return {
    ratio: counted.length ? weightedBad / weights : undefined,
    total,
    bad,
    parts: parts.map((p) => ({ component: p.component, ratio: p.ratio, share: p.ratio !== undefined && weightedBad > 0 ? (p.component.weight * p.ratio) / weightedBad : undefined })),
  };
}

/** The SLIs a journey reaches, through the journeys it contains, each once, in order. */
export function journeyLeaves(journeys: readonly Journey[], journey: Journey): { readonly service: string; readonly sli: string }[] {
  const out = new Map<string, { service: string; sli: string }>();
  for (const c of journey.components) {
    if (c.type === 'sli') out.set(`${c.service}/${c.sli}`, { service: c.service, sli: c.sli });
    else for (const l of journeyLeaves(journeys, journeys.find((j) => j.name === c.journey)!)) out.set(`${l.service}/${l.sli}`, l);
  }
  return [...out.values()];
}
