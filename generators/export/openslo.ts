/**
 * `slokit export openslo`: the catalog as OpenSLO v1 documents, a Service per service and an SLO
 * per SLI with its indicator inline. What OpenSLO can express survives `slokit import openslo`:
 * names, descriptions, team and tier (as labels), objectives, rolling periods, and the events
 * (counters, or a histogram's bucket over its count). SLIs OpenSLO cannot express (apdex
 * counts tolerated events as half; raw SLIs are expressions, not series; a combined SLI sums
 * several selectors) are reported, not exported.
 */
import { formatNumber } from '../model/decimal.js';
import { componentName } from '../model/journeys.js';
import type { Model, Selector, Sli } from '../model/types.js';
import { selectorText } from '../promql/escape.js';
import { GENERATED_HEADER } from '../emit/yaml-text.js';
import { toYaml } from '../emit/yaml-text.js';

/** The annotation that carries a slokit SLI name (OpenSLO SLO names are unique catalog-wide). */
export const SLI_NAME_ANNOTATION = 'slokit.dev/sli';
/** What OpenSLO has no field for, carried as annotations slokit's import reads back. */
export const SIGNIFICANT_LABELS_ANNOTATION = 'slokit.dev/significant-labels';
export const USER_FACING_ANNOTATION = 'slokit.dev/user-facing';
/** An SLI's alert switches where they differ from its service's (OpenSLO has alert policies, not switches). */
export const EXPERIMENTAL_ANNOTATION = 'slokit.dev/experimental';
export const PAGES_ANNOTATION = 'slokit.dev/pages';
export const TRAFFIC_CESSATION_ANNOTATION = 'slokit.dev/traffic-cessation';
/** The objectives of an SLO that are the SLI's report objectives (by displayName), not alerted on. */
export const REPORT_OBJECTIVES_ANNOTATION = 'slokit.dev/report-objectives';

/**
 * A user journey is an OpenSLO composite SLO: one objective per component, each with its
 * compositeWeight and an indicatorRef to the component's SLI document (or `journey-NAME` for a
 * journey it contains). What OpenSLO has no field for rides in annotations: the journey's own
 * objective (each objective's target is its component's) and how it weighs its components.
 */
export const JOURNEY_ANNOTATION = 'slokit.dev/journey';
export const JOURNEY_OBJECTIVE_ANNOTATION = 'slokit.dev/journey-objective';
export const WEIGHTING_ANNOTATION = 'slokit.dev/weighting';
export const JOURNEY_ALERTS_ANNOTATION = 'slokit.dev/journey-alerts';
export const journeySloName = (journey: string) => `journey-${journey}`;

export interface OpenSloExport {
  readonly text: string;
  readonly documents: number;
  /** `service/sli: why` for each SLI left out. */
  readonly skipped: readonly string[];
}

const prometheus = (query: string) => ({ metricSource: { type: 'Prometheus', spec: { query } } });

/** The one item of a list, or undefined when it has several (a combined SLI). */
const only = <T>(list: readonly T[]): T | undefined => (list.length === 1 ? list[0] : undefined);

const COMBINED = 'a combined SLI sums several series selectors, and an OpenSLO metric source is one query that slokit reads back as one selector';

function ratioMetric(sli: Sli): object | string {
  const ev = sli.events;
  switch (ev.type) {
    case 'counters': {
      const [bad, good, total] = [ev.bad, ev.good, ev.total].map((list) => list && only(list));
      if ((ev.bad && !bad) || (ev.good && !good) || !total) return COMBINED;
      return { counter: true, ...(bad ? { bad: prometheus(selectorText(bad)) } : { good: prometheus(selectorText(good!)) }), total: prometheus(selectorText(total)) };
    }
    case 'histogram': {
      const part = only(ev.parts);
      if (!part) return COMBINED;
      if (part.tolerated !== undefined) return 'apdex counts tolerated events as half an event, which an OpenSLO ratio cannot say';
      const le = { label: 'le', op: '=' as const, value: formatNumber(part.satisfied) };
      const h: Selector = part.histogram;
      return { counter: true, good: prometheus(selectorText(h, [le], '_bucket')), total: prometheus(selectorText(h, [], '_count')) };
    }
    case 'gauge':
      return 'a bool-gauge SLI counts samples of a 0/1 gauge, which an OpenSLO ratio of two queries cannot say';
    case 'raw':
      return 'a raw SLI is a pair of rate expressions, not series an OpenSLO metric source names';
  }
}

export function exportOpenSlo(model: Model): OpenSloExport {
  const docs: object[] = [];
  const skipped: string[] = [];
  /** The ratio metric of each exported SLI, by service/sli: a journey's components point at them. */
  const exportable = new Map<string, { ratio: object; description: string }>();
  for (const service of model.services) {
    docs.push({
      apiVersion: 'openslo/v1',
      kind: 'Service',
      metadata: { name: service.name, labels: { team: [service.team.name], tier: [String(service.tier)] } },
      spec: { description: service.description },
    });
    for (const sli of service.slis) {
      const ratio = ratioMetric(sli);
      if (typeof ratio === 'string') {
        skipped.push(`${service.name}/${sli.name}: ${ratio}`);
        continue;
      }
      const name = `${service.name}-${sli.name}`;
      exportable.set(`${service.name}/${sli.name}`, { ratio, description: sli.description });
      docs.push({
        apiVersion: 'openslo/v1',
        kind: 'SLO',
        metadata: {
          name,
          // An SLI owned by another team than its service's says so where OpenSLO keeps owners.
          ...(sli.team.name !== service.team.name ? { labels: { team: [sli.team.name] } } : {}),
          annotations: {
            [SLI_NAME_ANNOTATION]: sli.name,
            ...(sli.significantLabels.length ? { [SIGNIFICANT_LABELS_ANNOTATION]: sli.significantLabels.join(',') } : {}),
            [USER_FACING_ANNOTATION]: String(sli.userFacing),
            ...(sli.experimental ? { [EXPERIMENTAL_ANNOTATION]: 'true' } : {}),
            ...(!sli.experimental && sli.pages !== service.pages ? { [PAGES_ANNOTATION]: String(sli.pages) } : {}),
            ...(!sli.experimental && !sli.cessationAlert ? { [TRAFFIC_CESSATION_ANNOTATION]: 'false' } : {}),
            ...(sli.reportObjectives.length ? { [REPORT_OBJECTIVES_ANNOTATION]: sli.reportObjectives.map((o) => o.name).join(',') } : {}),
          },
        },
        spec: {
          description: sli.description,
          service: service.name,
          indicator: { metadata: { name }, spec: { ratioMetric: ratio } },
          timeWindow: [{ duration: sli.period.text, isRolling: true }],
          budgetingMethod: 'Occurrences',
          // OpenSLO keeps several objectives per SLO: the one that alerts, then those reported.
          objectives: [{ displayName: sli.name, target: Number(sli.objective.toPrecision(12)) }, ...sli.reportObjectives.map((o) => ({ displayName: o.name, target: Number(o.objective.toPrecision(12)) }))],
        },
      });
    }
  }
  docs.push(...journeyDocs(model, exportable, skipped));
  const text = docs.map((d, i) => (i === 0 ? toYaml(d, `${GENERATED_HEADER}\nOpenSLO v1: a Service per service, an SLO per SLI. Import back with: slokit import openslo FILE`) : `---\n${toYaml(d)}`)).join('');
  return { text, documents: docs.length, skipped };
}

/** The journeys as composite SLOs, after an SLI document for each SLI they cross (a journey whose SLIs cannot be exported is skipped). */
function journeyDocs(model: Model, exportable: ReadonlyMap<string, { ratio: object; description: string }>, skipped: string[]): object[] {
  const docs: object[] = [];
  const exported = new Set<string>();
  const sliDocs = new Map<string, object>();
  for (const j of model.journeys) {
    const missing = j.components.filter((c) => (c.type === 'sli' ? !exportable.has(`${c.service}/${c.sli}`) : !exported.has(c.journey)));
    if (missing.length) {
      skipped.push(`journey ${j.name}: its component(s) ${missing.map(componentName).join(', ')} cannot be exported`);
      continue;
    }
    exported.add(j.name);
    const objectives = j.components.map((c) => {
      if (c.type === 'journey') {
        const child = model.journeys.find((x) => x.name === c.journey)!;
        return { displayName: componentName(c), target: Number(child.objective.toPrecision(12)), compositeWeight: c.weight, indicatorRef: journeySloName(c.journey) };
      }
      const name = `${c.service}-${c.sli}`;
      const { ratio, description } = exportable.get(`${c.service}/${c.sli}`)!;
      if (!sliDocs.has(name)) sliDocs.set(name, { apiVersion: 'openslo/v1', kind: 'SLI', metadata: { name }, spec: { description, ratioMetric: ratio } });
      const sli = model.services.find((s) => s.name === c.service)!.slis.find((x) => x.name === c.sli)!;
      return { displayName: componentName(c), target: Number(sli.objective.toPrecision(12)), compositeWeight: c.weight, indicatorRef: name };
    });
    const first = j.components.find((c) => c.type === 'sli');
    docs.push({
      apiVersion: 'openslo/v1',
      kind: 'SLO',
      metadata: {
        name: journeySloName(j.name),
        labels: { team: [j.team.name] },
        annotations: {
          [JOURNEY_ANNOTATION]: j.name,
          [JOURNEY_OBJECTIVE_ANNOTATION]: String(Number(j.objective.toPrecision(12))),
          [WEIGHTING_ANNOTATION]: j.weighting,
          ...(j.burnAlerts ? { [JOURNEY_ALERTS_ANNOTATION]: j.pages ? 'page' : 'ticket' } : {}),
        },
      },
      spec: {
        description: j.description,
        // OpenSLO wants a service: the first one the journey crosses.
        service: first?.type === 'sli' ? first.service : model.services[0]!.name,
        timeWindow: [{ duration: j.period.text, isRolling: true }],
        budgetingMethod: 'Occurrences',
        objectives,
      },
    });
  }
  return [...sliDocs.values(), ...docs];
}
