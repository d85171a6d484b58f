/**
 * What the runbook templates receive: every catalog string already escaped for Markdown,
 * every query and command already built, every number already worked out. Templates only
 * arrange it, so an overriding template cannot forget to escape.
 */
import { basename } from 'node:path';
import { formatNumber, formatPercent } from '../../model/decimal.js';
import { dependentsOf, serviceNamed } from '../../model/lookup.js';
import type { Model, SaturationResource, Service, Sli, Team } from '../../model/types.js';
import { instanceUtilisation, saturationSelector, type SaturationAlertDef } from '../saturation-rules.js';
import { dashboardUid, grafanaUrl, journeyPaths, runbookAnchors, runbookFile, series, SLI_LABELS } from '../../naming.js';
import { matchersText, selectorText } from '../../promql/escape.js';
import { eventRates } from '../../promql/sli-events.js';
import { budgetLasts, type AlertDef } from '../alert-rules.js';
import { causeAlertsQuery } from '../alertmanager/inhibition.js';
import { serviceRules } from '../rule-groups.js';
import { codeBlock, codeSpan, mdLink, mdText } from './markdown.js';

// A service's alert sections repeat the same queries (each window's, in every section that
// uses it): each link is built once. Cleared when large, since services rarely share queries.
const exploreLinks = new Map<string, string>();

function explore(model: Model, expr: string): string {
  const key = `${model.settings.grafanaBaseUrl}\0${expr}`;
  let link = exploreLinks.get(key);
  if (link === undefined) {
    if (exploreLinks.size >= 1000) exploreLinks.clear();
    link = exploreLink(model, expr);
    exploreLinks.set(key, link);
  }
  return link;
}

function exploreLink(model: Model, expr: string): string {
  const panes = { a: { datasource: 'prometheus', queries: [{ refId: 'A', expr, datasource: { type: 'prometheus' } }], range: { from: 'now-1h', to: 'now' } } };
  return `${grafanaUrl(model.settings, '/explore')}?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes)).replace(/\(/g, '%28').replace(/\)/g, '%29')}`;
}

function dashboardLink(model: Model, service: Service, sli?: Sli): string {
  return `${grafanaUrl(model.settings, `/d/${dashboardUid(service)}/${service.name}`)}${sli ? `?var-sli=${encodeURIComponent(sli.name)}` : ''}`;
}

interface Query {
  readonly title: string;
  readonly code: string;
  readonly explore: string;
}

function query(model: Model, title: string, expr: string): Query {
  return { title, code: codeBlock(expr, 'promql'), explore: explore(model, expr) };
}

/** The query every alert section of an SLI starts from: how bad it is over the alert's window. */
function howBad(model: Model, service: Service, sli: Sli, window: string): Query {
  const sel = matchersText([
    { label: SLI_LABELS.service, op: '=', value: service.name },
    { label: SLI_LABELS.sli, op: '=', value: sli.name },
  ]);
  return query(model, `Error ratio now (${window} window, per environment and cluster)`, `${series.errorRatio({ text: window, seconds: 0 })}${sel}`);
}

/**
 * Where an SLI fails: the same queries for every alert of the SLI, so they are written once, in
 * the SLI's own section, which each alert section links to (written into each of them, they were
 * two thirds of a runbook).
 */
function whereItFails(model: Model, sli: Sli): Query[] {
  const out: Query[] = [];
  for (const label of sli.significantLabels) {
    const r = eventRates(sli, '5m', [label]);
    out.push(query(model, `Worst values of ${label} (error ratio over 5m)`, `topk(5,\n  (${r.bad})\n  /\n  (${r.total})\n)`));
  }
  const ev = sli.events;
  if (ev.type === 'histogram') {
    // One per histogram: a combined SLI's histograms have buckets and thresholds of their own.
    for (const p of ev.parts) {
      out.push(
        query(
          model,
          `99th percentile latency now${ev.parts.length > 1 ? ` of ${p.histogram.metric}` : ''}, against the ${formatNumber(p.satisfied)}s threshold`,
          `histogram_quantile(0.99, sum by (le) (rate(${selectorText(p.histogram, [], '_bucket')}[5m])))`,
        ),
      );
    }
  } else {
    const r = eventRates(sli, '5m', sli.significantLabels);
    out.push(query(model, sli.significantLabels.length ? 'Bad events per second, broken down by the significant labels' : 'Bad events per second', r.bad));
  }
  return out;
}

function steps(service: Service, sli: Sli) {
  const both = [sli.runbook, service.runbook];
  return {
    steps: both.flatMap((r) => r.steps.map(mdText)),
    links: both.flatMap((r) => r.links.map((l) => mdLink(l.title, l.url))),
    commands: both.flatMap((r) => r.commands.map((c) => codeBlock(c, 'sh'))),
  };
}

function silence(def: AlertDef): string {
  const l = def.rule.labels;
  const matchers = [`alertname=${def.rule.alert}`, ...['service', 'sli', 'long', 'short'].map((k) => `${k}=${l[k]}`)];
  return codeBlock(`amtool silence add ${matchers.map((m) => `'${m}'`).join(' ')} \\\n  --duration=2h --comment='Investigating: <link to the incident>'`, 'sh');
}

/** What every alert section of a service shows alike: worked out once per service, not per section. */
function serviceAlertContext(model: Model, service: Service) {
  const deps = service.dependencies.map((d) => serviceNamed(model, d));
  return {
    dependencies: deps.map((d) => ({ name: d.name, runbook: `${runbookFile(d)}` })),
    service: service.name,
    dependencyAlerts: deps.length ? codeBlock(causeAlertsQuery(model, deps), 'promql') : null,
    heldBackBy: service.heldBackBy.map((d) => ({ name: d, runbook: runbookFile({ name: d }) })),
    version: service.versionMetric ? codeBlock(`count by (${service.versionMetric.label}) (${selectorText(service.versionMetric.selector)})`, 'promql') : null,
  };
}

/** Who to ask and page, as every alert section says it: the SLI's owner, or the service's team for saturation. */
function escalationOf(team: Team) {
  return { pager: mdText(team.pager), escalation: mdText(team.escalation), chat: mdText(team.chat), team: team.name };
}

/** What the SLI's alerting differs in from its service's, in a sentence each (empty when nothing does). */
function sliNotes(service: Service, sli: Sli): string {
  const notes: string[] = [];
  if (sli.team.name !== service.team.name) notes.push(`Owned by team ${mdText(sli.team.name)} (${mdText(sli.team.chat)}): its alerts go to them.`);
  if (sli.experimental) notes.push('Experimental: recorded and drawn, it never alerts.');
  else {
    const by = sli.ownersBy;
    if (by?.owners.length) {
      const each = by.owners.map((o) => `${o.values.map((v) => mdText(v)).join(', ')} to team ${mdText(o.team.name)} (${mdText(o.team.chat)})`).join('; ');
      notes.push(`Its alerts go by ${mdText(by.label)}: ${each}; any other ${mdText(by.label)} to team ${mdText(sli.team.name)}.`);
    }
    if (sli.pages !== service.pages) notes.push(sli.pages ? 'It pages, although its tier does not.' : 'Tickets only: it never pages.');
    if (!sli.cessationAlert) notes.push('No traffic-cessation ticket: silence is normal for it.');
  }
  if (sli.reportObjectives.length) notes.push(`Also reported against ${sli.reportObjectives.map((o) => `${mdText(o.name)} (${formatPercent(o.objective)})`).join(', ')}, never alerted on.`);
  return notes.join(' ');
}

/** What every alert section of an SLI shows alike. */
function sliAlertContext(model: Model, service: Service, sli: Sli) {
  return {
    escalation: escalationOf(sli.team),
    sli: sli.name,
    sliDescription: mdText(sli.description),
    userFacing: sli.userFacing,
    objective: formatPercent(sli.objective),
    budget: formatPercent(sli.errorBudget),
    period: sli.period.text,
    minEvents: sli.minEvents,
    dashboard: dashboardLink(model, service, sli),
    whereItFails: runbookAnchors.whereItFails(sli),
    remediation: steps(service, sli),
  };
}

/**
 * A section heading: the anchor's words, with the name of the SLI or resource as it is written
 * (dashes kept) after `lead`.
 */
function headingOf(anchor: string, name: string, lead = ''): string {
  const words = anchor.replace(/-/g, ' ');
  const spaced = `${lead}${name.replace(/-/g, ' ')}`;
  return words.startsWith(spaced) ? `${lead}${name}${words.slice(spaced.length)}` : words;
}

function alertView(model: Model, service: Service, serviceContext: ReturnType<typeof serviceAlertContext>, sli: Sli, sliContext: ReturnType<typeof sliAlertContext>, def: AlertDef) {
  const base = {
    kind: def.kind,
    heading: headingOf(def.anchor, sli.name),
    anchor: def.anchor,
    alertname: def.rule.alert,
    severity: def.rule.labels.severity!,
    pages: def.rule.labels.severity === 'critical',
    labels: Object.entries(def.rule.labels).map(([k, v]) => codeSpan(`${k}=${v}`)).join(' '),
    ...sliContext,
    queries: [howBad(model, service, sli, def.burn?.short.text ?? sli.evaluation.rawWindow.text)],
    ...serviceContext,
    // What a dependency's page holds back (see alertmanager/inhibition.ts): not a vanished page.
    heldBackByDependencies: service.heldBackBy.length > 0 && def.kind !== 'vanished',
    silence: silence(def),
  };
  if (def.burn) {
    const a = def.burn;
    return {
      ...base,
      long: a.long.text,
      short: a.short.text,
      factor: formatNumber(a.factor),
      threshold: formatPercent(a.threshold),
      budgetSpent: formatPercent(a.budgetSpent),
      lasts: budgetLasts(sli.period, a.factor),
    };
  }
  if (def.kind === 'vanished') {
    const tc = sli.trafficCessation;
    return {
      ...base,
      pages: def.rule.labels.severity === 'critical',
      rawWindow: sli.evaluation.rawWindow.text,
      vanishedFor: def.rule.for,
      silenceWindow: tc.silence.text,
      baseline: tc.baseline.text,
      minExpected: tc.minExpectedEvents,
    };
  }
  if (def.kind === 'traffic-cessation') {
    const tc = sli.trafficCessation;
    return { ...base, silenceWindow: tc.silence.text, baseline: tc.baseline.text, minExpected: tc.minExpectedEvents };
  }
  return base;
}

function saturationView(model: Model, service: Service, r: SaturationResource, defs: readonly SaturationAlertDef[]) {
  const instances = `topk(5,\n${instanceUtilisation(model, r)}\n)`;
  const remediation = {
    steps: [...r.runbook.steps, ...r.addCapacity].map(mdText),
    links: r.runbook.links.map((l) => mdLink(l.title, l.url)),
    commands: r.runbook.commands.map((c) => codeBlock(c, 'sh')),
  };
  return {
    name: r.name,
    title: mdText(r.title),
    description: mdText(r.description),
    source: mdText(r.source),
    soft: formatPercent(r.soft),
    hard: formatPercent(r.hard),
    forecast: r.forecast.text,
    alerts: defs.map((d) => ({
      kind: 'saturation',
      level: d.level,
      heading: headingOf(d.anchor, r.name, 'saturation '),
      anchor: d.anchor,
      alertname: d.rule.alert,
      severity: d.rule.labels.severity!,
      pages: d.rule.labels.severity === 'critical',
      labels: Object.entries(d.rule.labels).map(([k, v]) => codeSpan(`${k}=${v}`)).join(' '),
      whatFired: {
        high: `${mdText(r.title)} has been above its soft threshold of ${formatPercent(r.soft)} for ${r.warnAfter.text} on the busiest instance. Nothing fails yet; this is the time to add capacity calmly.`,
        critical: `${mdText(r.title)} has been above its hard threshold of ${formatPercent(r.hard)} for ${r.pageAfter.text} on the busiest instance. Requests queue, slow down or fail when it runs out.`,
        forecast: `At the trend of the last ${r.forecastLookback.text}, ${mdText(r.title)} reaches its hard threshold of ${formatPercent(r.hard)} within ${r.forecast.text}. Nothing is wrong today; plan the capacity before it is.`,
      }[d.level],
      description: mdText(r.description),
      source: mdText(r.source),
      dashboard: dashboardLink(model, service),
      queries: [
        query(model, 'Utilisation of the five busiest instances', instances),
        query(model, `Where last ${r.forecastLookback.text}'s trend leads in ${r.forecast.text}`, `predict_linear(${saturationSelector(service, r)}[${r.forecastLookback.text}], ${r.forecast.seconds})`),
      ],
      remediation,
      silence: codeBlock(`amtool silence add 'alertname=${d.rule.alert}' 'service=${service.name}' 'resource=${r.name}' \\\n  --duration=2h --comment='Adding capacity: <link to the change>'`, 'sh'),
      escalation: escalationOf(service.team),
    })),
  };
}

export function serviceRunbookView(model: Model, service: Service) {
  const rules = serviceRules(model, service);
  const alerts = rules.alerts;
  const team = service.team;
  const serviceContext = serviceAlertContext(model, service);
  return {
    name: service.name,
    description: mdText(service.description),
    tier: service.tier,
    pages: service.pages,
    team: {
      name: team.name,
      chat: mdText(team.chat),
      pager: mdText(team.pager),
      escalation: mdText(team.escalation),
      issueTracker: mdLink('issue tracker', team.issueTracker),
    },
    dashboard: dashboardLink(model, service),
    // Relative to the catalog: the pack must not depend on where the catalog was read from.
    catalogFile: codeSpan(`services/${basename(service.file)}`),
    dependencies: service.dependencies.map((d) => ({ name: d, runbook: runbookFile({ name: d }) })),
    externalDependencies: service.externalDependencies.map((d) => (service.externalRunbooks[d] ? mdLink(d, service.externalRunbooks[d]!) : mdText(d))),
    dependents: dependentsOf(model, service.name).map((s) => ({ name: s.name, runbook: runbookFile(s) })),
    slis: service.slis.map((sli) => ({
      name: sli.name,
      kind: sli.kind,
      description: mdText(sli.description),
      notes: sliNotes(service, sli),
      objective: formatPercent(sli.objective),
      period: sli.period.text,
      userFacing: sli.userFacing,
      significantLabels: sli.significantLabels.map((l) => codeSpan(l)).join(', '),
      whereItFails: { heading: `${sli.name}: where it fails`, dashboard: dashboardLink(model, service, sli), queries: whereItFails(model, sli) },
    })),
    alerts: service.slis.flatMap((sli) => {
      const sliContext = sliAlertContext(model, service, sli);
      return alerts.filter((a) => a.sliName === sli.name).map((a) => alertView(model, service, serviceContext, sli, sliContext, a.def));
    }),
    saturation: service.saturation.map((r) => saturationView(model, service, r, rules.saturationAlerts.filter((d) => d.resource.name === r.name))),
  };
}

export function indexView(model: Model) {
  const teams = model.teams.filter((t) => model.services.some((s) => s.team.name === t.name));
  return {
    teams: teams.map((t) => ({
      name: t.name,
      chat: mdText(t.chat),
      services: model.services
        .filter((s) => s.team.name === t.name)
        .sort((a, b) => a.tier - b.tier || a.name.localeCompare(b.name))
        .map((s) => ({
          name: s.name,
          runbook: runbookFile(s),
          tier: s.tier,
          description: mdText(s.description),
          slos: s.slis.map((sli) => `${sli.name} ${formatPercent(sli.objective)}`).join(', '),
        })),
    })),
    journeys: model.journeys.map((j) => ({ name: j.name, anchor: journeyPaths.anchor(j), team: j.team.name, objective: formatPercent(j.objective), description: mdText(j.description) })),
  };
}

