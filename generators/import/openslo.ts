/**
 * `slokit import openslo`: OpenSLO v1 Service, SLO and SLI documents (and the v1alpha SLOs Sloth
 * reads) to catalog services. Rolling windows and occurrence budgeting over Prometheus counters
 * and histograms convert; calendar windows, timeslices and other sources are reported where
 * they are written.
 */
import type { PathSegment, SourceFile } from '../load/yaml-source.js';
import { parseDuration } from '../model/duration.js';
import { parseSelector } from '../promql/parse.js';
import { selectorText } from '../promql/escape.js';
import { EXPERIMENTAL_ANNOTATION, JOURNEY_ALERTS_ANNOTATION, JOURNEY_ANNOTATION, JOURNEY_OBJECTIVE_ANNOTATION, PAGES_ANNOTATION, WEIGHTING_ANNOTATION, REPORT_OBJECTIVES_ANNOTATION, SIGNIFICANT_LABELS_ANNOTATION, SLI_NAME_ANNOTATION, TRAFFIC_CESSATION_ANNOTATION, USER_FACING_ANNOTATION } from '../export/openslo.js';
import { FindingSink, isObj, objectivePercent, policyForPeriod, safeName, untakenName, withWindow, type ImportResult, type JourneyDraft, type Obj, type ServiceDraft, type SliDraft } from './draft.js';
import type { ImportContext } from './extras.js';
import { ratioShape, sliShape } from './sli-shape.js';

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
/** Free text kept exactly as written (a round trip must not change it), when it says anything. */
const prose = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
/** OpenSLO label values are text or lists of text. */
const labelValue = (v: unknown) => text(Array.isArray(v) ? v[0] : v);

interface Doc {
  readonly source: SourceFile;
  readonly data: Obj;
}

/** A metric query located in its document, once its source is known to be Prometheus. */
interface Query {
  readonly query: string;
  readonly path: PathSegment[];
}

/** The windows OpenSLO's duration shorthand shares with Prometheus durations. */
const ROLLING = /^([1-9][0-9]*)(m|h|d|w)$/;
/** OpenSLO v1alpha: { count: 30, unit: Day }. */
const ALPHA_UNITS: Record<string, string> = { Minute: 'm', Hour: 'h', Day: 'd', Week: 'w' };

export function importOpenSlo(sources: readonly SourceFile[], ctx: ImportContext): ImportResult {
  const sink = new FindingSink();
  const byKind = new Map<string, Doc[]>();
  for (const source of sources) {
    const raw = source.data;
    // openslo.com/v1 is how some Kubernetes operators spell the same v1 (a CRD group needs a dot).
    const d = isObj(raw) && raw.apiVersion === 'openslo.com/v1' ? { ...raw, apiVersion: 'openslo/v1' } : raw;
    if (!isObj(d) || typeof d.apiVersion !== 'string' || !d.apiVersion.startsWith('openslo/')) {
      sink.add(source, isObj(d) && d.apiVersion !== undefined ? ['apiVersion'] : [], 'error', 'not an OpenSLO document: expected apiVersion: openslo/v1', d && isObj(d) && d.version === 'prometheus/v1' ? 'this is a Sloth spec: slokit import sloth FILE' : undefined);
      continue;
    }
    if (d.apiVersion !== 'openslo/v1' && !(d.apiVersion === 'openslo/v1alpha' && d.kind === 'SLO')) {
      sink.add(source, ['apiVersion'], 'unsupported', `${d.apiVersion} ${String(d.kind)} is not read; slokit reads openslo/v1 (and v1alpha SLOs)`);
      continue;
    }
    const kind = String(d.kind);
    byKind.set(kind, [...(byKind.get(kind) ?? []), { source, data: d }]);
  }
  const named = (kind: string) => new Map((byKind.get(kind) ?? []).map((doc) => [String((doc.data.metadata as Obj | undefined)?.name), doc]));
  const serviceDocs = named('Service');
  const sliDocs = named('SLI');
  const dataSources = named('DataSource');
  for (const kind of ['AlertPolicy', 'AlertCondition', 'AlertNotificationTarget']) {
    for (const doc of byKind.get(kind) ?? []) sink.add(doc.source, ['kind'], 'note', `${kind} is not converted: slokit generates multi-window burn-rate alerts from each SLO and routes them per team`);
  }
  for (const [kind, docs] of byKind) {
    if (['Service', 'SLO', 'SLI', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'].includes(kind)) continue;
    for (const doc of docs) sink.add(doc.source, ['kind'], 'unsupported', `OpenSLO kind ${kind} is not converted`);
  }

  const services = new Map<string, ServiceDraft>();
  const serviceOf = (name: string, doc: Doc | undefined): ServiceDraft | undefined => {
    const id = safeName(name);
    if (!id) return undefined;
    let s = services.get(id);
    if (s) return s;
    const meta = (doc?.data.metadata ?? {}) as Obj;
    const spec = (doc?.data.spec ?? {}) as Obj;
    const labels = isObj(meta.labels) ? meta.labels : {};
    const team = ctx.teamOverrides ? ctx.team : (safeName(labelValue(labels.team) ?? labelValue(labels.owner) ?? '') ?? ctx.team);
    if (!team) return undefined;
    const tierText = labelValue(labels.tier);
    const tier = tierText === '1' || tierText === '2' || tierText === '3' ? (Number(tierText) as 1 | 2 | 3) : 2;
    s = { name: id, description: prose(spec.description) ?? text(meta.displayName) ?? `${name} (imported from OpenSLO).`, team, tier, slis: [], from: doc?.source.file ?? '' };
    services.set(id, s);
    return s;
  };

  // A composite SLO (objectives with compositeWeight) is a user journey over other SLOs: read after them.
  const composites = (byKind.get('SLO') ?? []).filter((d) => isComposite(d.data));
  /** Each converted SLO's indicator (its name, or indicatorRef), for the composites that point at it. */
  const byIndicator = new Map<string, { service: string; sli: string }>();
  for (const doc of byKind.get('SLO') ?? []) {
    if (composites.includes(doc)) continue;
    const { source, data } = doc;
    const alpha = data.apiVersion === 'openslo/v1alpha';
    const meta = (isObj(data.metadata) ? data.metadata : {}) as Obj;
    const spec = (isObj(data.spec) ? data.spec : {}) as Obj;
    // slokit's own export names the SLI in an annotation (SLO names are unique catalog-wide).
    const sloName = (isObj(meta.annotations) ? text(meta.annotations[SLI_NAME_ANNOTATION]) : undefined) ?? text(meta.name);
    const name = sloName ? safeName(sloName) : undefined;
    if (!name) {
      sink.add(source, ['metadata', 'name'], 'error', 'the SLO has no usable metadata.name');
      continue;
    }
    if (name !== sloName) sink.add(source, ['metadata', 'name'], 'note', `SLO ${JSON.stringify(sloName)} is named ${name} in the catalog`);
    const serviceName = text(spec.service);
    if (!serviceName) {
      sink.add(source, ['spec', 'service'], 'error', `SLO ${name} names no service`);
      continue;
    }
    const service = serviceOf(serviceName, serviceDocs.get(serviceName));
    if (!service) {
      sink.add(source, ['spec', 'service'], 'error', `service ${JSON.stringify(serviceName)} has no team`, 'give its Service document a team label (metadata.labels.team), or pass --team TEAM');
      continue;
    }
    if (!service.from) service.from = source.file;

    const period = window(sink, source, spec, alpha);
    if (period === null) continue;
    const method = spec.budgetingMethod ?? 'Occurrences';
    if (method !== 'Occurrences') {
      sink.add(source, ['spec', 'budgetingMethod'], 'unsupported', `SLO ${name}: budgeting method ${String(method)} is not supported; slokit budgets occurrences (bad events over all events)`, 'use budgetingMethod: Occurrences');
      continue;
    }
    if (spec.alertPolicies !== undefined) sink.add(source, ['spec', 'alertPolicies'], 'note', `SLO ${name}: alert policies are not converted; slokit generates multi-window burn-rate alerts`);
    const objectives = Array.isArray(spec.objectives) ? spec.objectives : [];
    if (!objectives.length) {
      sink.add(source, ['spec', 'objectives'], 'error', `SLO ${name} has no objectives`);
      continue;
    }
    // Objectives slokit exported as report objectives (named in its annotation) go back to the SLI of the others.
    const reportNames = new Set((text(isObj(meta.annotations) ? meta.annotations[REPORT_OBJECTIVES_ANNOTATION] : undefined) ?? '').split(',').map((n) => n.trim()).filter(Boolean));
    const isReport = (o: unknown) => isObj(o) && reportNames.has(text(o.displayName) ?? '');
    const reports = objectives.filter(isReport).flatMap((o: Obj) => {
      const target = targetOf(o);
      return target === undefined ? [] : [{ name: safeName(text(o.displayName) ?? '') ?? 'report', objective: target }];
    });
    const alertingCount = objectives.filter((o: unknown) => !isReport(o)).length;
    objectives.forEach((o: unknown, i: number) => {
      const at: PathSegment[] = ['spec', 'objectives', i];
      if (!isObj(o)) return sink.add(source, at, 'error', 'an objective must be a mapping');
      if (isReport(o)) return;
      const target = targetOf(o);
      if (target === undefined) {
        const [field, value] = o.target !== undefined ? ['target', o.target] : ['targetPercent', o.targetPercent];
        const what = field === 'target' ? 'a share between 0 and 1 (exclusive), e.g. 0.99' : 'a percentage between 0 and 100 (exclusive), e.g. 99';
        return sink.add(source, [...at, field], 'error', `objective ${field} ${JSON.stringify(value ?? null)} is not ${what}`);
      }
      if (o.timeSliceTarget !== undefined || o.timeSliceWindow !== undefined) return sink.add(source, [...at, o.timeSliceTarget !== undefined ? 'timeSliceTarget' : 'timeSliceWindow'], 'unsupported', 'timeslice objectives are not supported; slokit budgets occurrences');
      const sliName = alertingCount === 1 ? name : `${name.slice(0, 26)}-${safeName(text(o.displayName) ?? '')?.slice(0, 20) ?? i + 1}`.slice(0, 30).replace(/-+$/, '');
      const fields = alpha ? alphaIndicator(sink, source, at, o) : indicator(sink, source, spec, o, at, sliDocs, dataSources, name);
      if (!fields) return;
      const sloDescription = prose(spec.description);
      const wanted = safeName(sliName) ?? name;
      const unique = untakenName(wanted, (n) => service.slis.some((x) => x.name === n));
      if (unique !== wanted) sink.add(source, ['metadata', 'name'], 'note', `SLO ${JSON.stringify(sloName)} is named ${unique} in the catalog: ${wanted} is taken by another SLO of ${service.name}`, 'slokit SLI names are at most 30 characters; rename one of them in the catalog if you prefer');
      // An SLO that names its own team is owned by it, whatever its service's is.
      const sloTeam = ctx.teamOverrides ? undefined : safeName(labelValue(isObj(meta.labels) ? meta.labels.team : undefined) ?? '');
      const owner = sloTeam && sloTeam !== service.team ? { team: sloTeam } : {};
      const indicatorName = text(isObj(spec.indicator) && isObj(spec.indicator.metadata) ? spec.indicator.metadata.name : undefined) ?? text(spec.indicatorRef) ?? text(o.indicatorRef);
      if (indicatorName && alertingCount === 1) byIndicator.set(indicatorName, { service: service.name, sli: unique });
      service.slis.push({ name: unique, ...(sloDescription ? { description: sloDescription } : fields.description ? { description: fields.description } : {}), ...owner, ...fields.shape, objective: target, ...(period ? { period } : {}), ...policyForPeriod(period ? parseDuration(period)?.seconds : undefined), ...(reports.length ? { report_objectives: reports } : {}), ...slokitAnnotations(sink, source, meta) } as SliDraft);
    });
  }
  for (const [name, doc] of serviceDocs) {
    if (!services.get(safeName(name) ?? '')?.slis.length) sink.add(doc.source, ['metadata', 'name'], 'note', `service ${name} is not imported: none of its SLOs converted (a slokit service needs at least one SLI)`);
  }
  const journeys = journeysOf(sink, composites, byIndicator, ctx);
  return { services: [...services.values()].filter((s) => s.slis.length), journeys, findings: sink.findings };
}

function isComposite(d: Obj): boolean {
  const meta = isObj(d.metadata) ? d.metadata : {};
  const spec = isObj(d.spec) ? d.spec : {};
  return (isObj(meta.annotations) && meta.annotations[JOURNEY_ANNOTATION] !== undefined) || (Array.isArray(spec.objectives) && spec.objectives.some((o) => isObj(o) && o.compositeWeight !== undefined));
}

/**
 * Composite SLOs as journeys: each objective a component (its compositeWeight the weight), found
 * among the SLOs converted in this import by its indicator, or another composite by name.
 * Occurrences composites count events (weighting: events) unless slokit's annotation says otherwise.
 */
function journeysOf(sink: FindingSink, composites: readonly Doc[], byIndicator: ReadonlyMap<string, { service: string; sli: string }>, ctx: ImportContext): JourneyDraft[] {
  const nameOf = (d: Doc) => {
    const meta = (isObj(d.data.metadata) ? d.data.metadata : {}) as Obj;
    return safeName((isObj(meta.annotations) ? text(meta.annotations[JOURNEY_ANNOTATION]) : undefined) ?? text(meta.name) ?? '');
  };
  const compositeNames = new Map(composites.map((d) => [text(((d.data.metadata ?? {}) as Obj).name) ?? '', nameOf(d)]));
  const out: JourneyDraft[] = [];
  for (const doc of composites) {
    const { source, data } = doc;
    const meta = (isObj(data.metadata) ? data.metadata : {}) as Obj;
    const spec = (isObj(data.spec) ? data.spec : {}) as Obj;
    const annotations = isObj(meta.annotations) ? meta.annotations : {};
    const name = nameOf(doc);
    if (!name) {
      sink.add(source, ['metadata', 'name'], 'error', 'the composite SLO has no usable metadata.name');
      continue;
    }
    const team = ctx.teamOverrides ? ctx.team : (safeName(labelValue(isObj(meta.labels) ? meta.labels.team : undefined) ?? '') ?? ctx.team);
    if (!team) {
      sink.add(source, ['metadata'], 'error', `composite SLO ${name} has no team`, 'give it a team label (metadata.labels.team), or pass --team TEAM');
      continue;
    }
    const period = window(sink, source, spec, false);
    if (period === null) continue;
    if ((spec.budgetingMethod ?? 'Occurrences') !== 'Occurrences') {
      sink.add(source, ['spec', 'budgetingMethod'], 'unsupported', `composite SLO ${name}: budgeting method ${String(spec.budgetingMethod)} is not supported; slokit journeys count occurrences`);
      continue;
    }
    const objectives = Array.isArray(spec.objectives) ? spec.objectives : [];
    let ok = true;
    const components: JourneyDraft['components'] = [];
    const targets: number[] = [];
    objectives.forEach((o: unknown, i: number) => {
      const at: PathSegment[] = ['spec', 'objectives', i];
      if (!isObj(o)) {
        ok = false;
        return sink.add(source, at, 'error', 'an objective must be a mapping');
      }
      const weight = o.compositeWeight ?? 1;
      if (typeof weight !== 'number' || !(weight > 0)) {
        ok = false;
        return sink.add(source, [...at, 'compositeWeight'], 'error', `compositeWeight ${JSON.stringify(weight)} is not a number above 0`, 'weigh each objective with a positive number (1 when they count alike)');
      }
      const target = targetOf(o);
      if (target !== undefined) targets.push(target);
      const ref = text(o.indicatorRef) ?? text(isObj(o.indicator) && isObj(o.indicator.metadata) ? o.indicator.metadata.name : undefined);
      const journey = ref === undefined ? undefined : compositeNames.get(ref);
      const sli = ref === undefined ? undefined : byIndicator.get(ref);
      const w = weight === 1 ? {} : { weight };
      if (journey) components.push({ journey, ...w });
      else if (sli) components.push({ ...sli, ...w });
      else {
        ok = false;
        sink.add(source, [...at, o.indicatorRef !== undefined ? 'indicatorRef' : 'indicator'], 'error', `composite SLO ${name}: objective ${i + 1} measures ${JSON.stringify(ref ?? null)}, which no SLO among the imported documents measures`, 'pass the files of the SLOs it combines too: a journey is made of catalog SLIs');
      }
    });
    if (!ok) continue;
    const own = Number(text(annotations[JOURNEY_OBJECTIVE_ANNOTATION]));
    let objective = Number.isFinite(own) ? objectivePercent(own) : undefined;
    if (objective === undefined) {
      objective = targets.length ? Math.min(...targets) : undefined;
      if (objective === undefined) {
        sink.add(source, ['spec', 'objectives'], 'error', `composite SLO ${name} has no target`);
        continue;
      }
      sink.add(source, ['spec', 'objectives'], 'note', `composite SLO ${name}: its objective is taken as its lowest target, ${objective}%`, `set ${JOURNEY_OBJECTIVE_ANNOTATION} to the composite's own target if it has another`);
    }
    const weighting = text(annotations[WEIGHTING_ANNOTATION]) === 'components' ? 'components' : 'events';
    const alerts = text(annotations[JOURNEY_ALERTS_ANNOTATION]);
    out.push({
      name,
      description: prose(spec.description) ?? `${name} (imported from OpenSLO).`,
      team,
      objective,
      ...(period ? { period } : {}),
      weighting,
      components,
      ...(alerts === 'page' || alerts === 'ticket' ? { alerting: { burn_alerts: true, ...(alerts === 'page' ? { pages: true } : {}) } } : {}),
      from: source.file,
    });
  }
  return out;
}

/** An objective's target as a catalog objective (percent), from `target` or `targetPercent`; the Go SDK decodes a quoted target ("0.99") as the number it spells. */
function targetOf(o: Obj): number | undefined {
  const numeric = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\s*[0-9]*\.?[0-9]+(e-?[0-9]+)?\s*$/i.test(v) ? Number(v) : undefined);
  const share = numeric(o.target);
  const percent = numeric(o.targetPercent);
  return share !== undefined ? objectivePercent(share) : percent !== undefined ? objectivePercent(percent / 100) : undefined;
}

/** The SLO's rolling window as a catalog period; undefined keeps the catalog's; null is refused. */
function window(sink: FindingSink, source: SourceFile, spec: Obj, alpha: boolean): string | undefined | null {
  const key = alpha ? 'timeWindows' : 'timeWindow';
  const list = spec[key];
  if (list === undefined) return undefined;
  const w = Array.isArray(list) && list.length === 1 && isObj(list[0]) ? list[0] : undefined;
  if (!w) {
    sink.add(source, ['spec', key], 'unsupported', `${key} must hold exactly one window`);
    return null;
  }
  if (w.calendar !== undefined || w.isRolling === false) {
    sink.add(source, ['spec', key, 0, w.calendar !== undefined ? 'calendar' : 'isRolling'], 'unsupported', 'calendar-aligned windows are not supported; slokit SLOs roll', 'use a rolling window (isRolling: true) such as duration: 28d');
    return null;
  }
  const duration = alpha ? `${String(w.count)}${ALPHA_UNITS[String(w.unit)] ?? '?'}` : String(w.duration);
  if (!ROLLING.test(duration) || !parseDuration(duration)) {
    sink.add(source, ['spec', key, 0, alpha ? 'unit' : 'duration'], 'unsupported', `window ${duration} is not supported; slokit windows are minutes, hours, days or weeks (e.g. 28d)`);
    return null;
  }
  return duration;
}

interface Converted {
  readonly shape: Pick<SliDraft, 'kind' | 'bad' | 'good' | 'total' | 'histogram' | 'threshold'>;
  readonly description?: string;
}

/** An objective's SLI: inline on the objective or the SLO, or a reference to an SLI document. */
function indicator(sink: FindingSink, source: SourceFile, spec: Obj, objective: Obj, at: PathSegment[], sliDocs: Map<string, Doc>, dataSources: Map<string, Doc>, name: string): Converted | undefined {
  let where: { source: SourceFile; path: PathSegment[]; spec: Obj } | undefined;
  for (const [holder, base] of [[objective, at], [spec, ['spec']]] as const) {
    if (isObj(holder.indicator) && isObj(holder.indicator.spec)) where = { source, path: [...base, 'indicator', 'spec'], spec: holder.indicator.spec };
    else if (typeof holder.indicatorRef === 'string') {
      const ref = sliDocs.get(holder.indicatorRef);
      if (!ref) {
        sink.add(source, [...base, 'indicatorRef'], 'error', `SLI ${holder.indicatorRef} is not among the imported documents`, 'pass the file that defines it too');
        return undefined;
      }
      where = { source: ref.source, path: ['spec'], spec: isObj(ref.data.spec) ? ref.data.spec : {} };
    }
    if (where) break;
  }
  if (!where) {
    sink.add(source, at, 'error', `SLO ${name} has no indicator or indicatorRef`);
    return undefined;
  }
  const description = prose(where.spec.description);
  const query = (metric: unknown, path: PathSegment[]): Query | undefined => {
    const ms = isObj(metric) && isObj(metric.metricSource) ? metric.metricSource : undefined;
    if (!ms) {
      sink.add(where!.source, path, 'error', 'expected a metricSource');
      return undefined;
    }
    const ref = typeof ms.metricSourceRef === 'string' ? dataSources.get(ms.metricSourceRef) : undefined;
    if (typeof ms.metricSourceRef === 'string' && !ref && ms.type === undefined) {
      const known = [...dataSources.keys()];
      sink.add(where!.source, [...path, 'metricSource', 'metricSourceRef'], 'error', `DataSource ${JSON.stringify(ms.metricSourceRef)} is not in the files given${known.length ? ` (they define ${known.map((k) => JSON.stringify(k)).join(', ')})` : ''}`, 'pass the file that defines it too, or give the metric source type: Prometheus');
      return undefined;
    }
    const type = String(ms.type ?? (ref && isObj(ref.data.spec) ? ref.data.spec.type : undefined) ?? '');
    if (type.toLowerCase() !== 'prometheus') {
      sink.add(where!.source, [...path, 'metricSource', ms.type !== undefined ? 'type' : 'metricSourceRef'], 'unsupported', `metric source ${JSON.stringify(type || ms.metricSourceRef || 'unknown')} is not Prometheus; slokit generates Prometheus rules`);
      return undefined;
    }
    const q = isObj(ms.spec) ? text(ms.spec.query) ?? text(ms.spec.promql) : undefined;
    if (!q) {
      sink.add(where!.source, [...path, 'metricSource', 'spec'], 'error', 'the Prometheus metric source has no query');
      return undefined;
    }
    return { query: q, path: [...path, 'metricSource', 'spec', 'query'] };
  };
  const ratio = where.spec.ratioMetric;
  if (isObj(ratio)) {
    const base = [...where.path, 'ratioMetric'];
    if (ratio.counter === false) {
      // Gauges count nothing up: rate() over them (what slokit's SLIs read) would be meaningless.
      sink.add(where.source, [...base, 'counter'], 'unsupported', `SLO ${name}: counter: false says good and total are gauges (values, not running counts), and slokit's SLIs count events with rate() over counters`, 'expose counters of the events, or add it to the catalog by hand as a raw SLI (bad_rate, total_rate, test_series)');
      return undefined;
    }
    if (ratio.raw !== undefined) {
      // A ratio converts when it divides counter rates: those are the events.
      const raw = query(ratio.raw, [...base, 'raw']);
      if (!raw) return undefined;
      const shape = ratioShape(ratio.rawType === 'success' ? `1 - (${raw.query})` : raw.query);
      if (!shape?.ok) {
        sink.add(where.source, raw.path, 'unsupported', `SLO ${name}: this raw ratio is not a ratio of counter rates, so slokit cannot count its events; its windows, budgets and tests are built on bad and total event rates`, 'give good or bad, and total');
        return undefined;
      }
      return { shape: shape.fields, ...(description ? { description } : {}) };
    }
    const total = query(ratio.total, [...base, 'total']);
    const good = ratio.good !== undefined ? query(ratio.good, [...base, 'good']) : undefined;
    const bad = ratio.bad !== undefined ? query(ratio.bad, [...base, 'bad']) : undefined;
    if (!total || (!good && !bad)) return undefined;
    const shape = sliShape({ total: total.query, ...(bad ? { bad: bad.query } : { good: good!.query }) });
    if (!shape.ok) {
      const q = shape.query === 'total' ? total : shape.query === 'bad' ? bad! : good!;
      sink.add(where.source, q.path, 'unsupported', `SLO ${name}: ${shape.why}`, 'add it to the catalog by hand as a raw SLI (bad_rate, total_rate with [$window], test_series)');
      return undefined;
    }
    if (shape.grouping.length) sink.add(where.source, base, 'note', `SLO ${name}: the grouping by (${shape.grouping.join(', ')}) is not kept; slokit sums by the catalog's environment and cluster labels`);
    return { shape: shape.fields, ...(description ? { description } : {}) };
  }
  const threshold = where.spec.thresholdMetric;
  if (isObj(threshold)) {
    const q = query(threshold, [...where.path, 'thresholdMetric']);
    if (!q) return undefined;
    return thresholdShape(sink, where.source, q, objective, at, name, description);
  }
  sink.add(where.source, where.path, 'error', `SLO ${name}: the indicator has neither ratioMetric nor thresholdMetric`);
  return undefined;
}

/**
 * A threshold on a histogram maps: with occurrence budgeting, each observation is an
 * occurrence, good when at most the threshold, which is slokit's latency SLI. A threshold on
 * anything else (a gauge, a quantile) counts points in time, not events.
 */
function thresholdShape(sink: FindingSink, source: SourceFile, q: Query, objective: Obj, at: PathSegment[], name: string, description: string | undefined): Converted | undefined {
  const parsed = parseSelector(q.query);
  const histogram = parsed.ok && parsed.value.metric.endsWith('_bucket') ? { ...parsed.value, metric: parsed.value.metric.slice(0, -'_bucket'.length) } : undefined;
  if (!histogram) {
    sink.add(source, q.path, 'unsupported', `SLO ${name}: a threshold on this query counts points in time, not events`, 'slokit converts a threshold on a histogram: write the query as the histogram\'s _bucket series, e.g. http_request_duration_seconds_bucket{job="x"}');
    return undefined;
  }
  if (objective.op !== 'lte' && objective.op !== 'lt') {
    sink.add(source, [...at, 'op'], 'unsupported', `SLO ${name}: op ${JSON.stringify(objective.op ?? null)} is not supported on a histogram; slokit counts observations at most the threshold as good`, 'use op: lte');
    return undefined;
  }
  if (typeof objective.value !== 'number' || objective.value <= 0) {
    sink.add(source, [...at, 'value'], 'error', `SLO ${name}: the threshold value must be a number above 0`);
    return undefined;
  }
  if (histogram.matchers.some((m) => m.label === 'le')) {
    sink.add(source, q.path, 'unsupported', `SLO ${name}: the histogram query already picks a bucket (le); the objective's value is the threshold`);
    return undefined;
  }
  return { shape: { kind: 'latency', histogram: selectorText(histogram), threshold: objective.value }, ...(description ? { description } : {}) };
}

/** v1alpha (what Sloth reads): objectives[].ratioMetrics { good|bad, total: { source, queryType, query } }. */
function alphaIndicator(sink: FindingSink, source: SourceFile, at: PathSegment[], objective: Obj): Converted | undefined {
  const r = objective.ratioMetrics;
  if (!isObj(r)) {
    sink.add(source, at, 'unsupported', 'v1alpha objectives are converted only with ratioMetrics');
    return undefined;
  }
  const q = (key: string): Query | undefined => {
    const m = r[key];
    if (!isObj(m)) return undefined;
    if (String(m.source).toLowerCase() !== 'prometheus') {
      sink.add(source, [...at, 'ratioMetrics', key, 'source'], 'unsupported', `metric source ${JSON.stringify(m.source)} is not Prometheus`);
      return undefined;
    }
    const query = text(m.query);
    return query ? { query: withWindow(query), path: [...at, 'ratioMetrics', key, 'query'] } : undefined;
  };
  const total = q('total');
  const good = q('good');
  const bad = q('bad');
  if (!total || (!good && !bad)) {
    sink.add(source, [...at, 'ratioMetrics'], 'error', 'ratioMetrics needs total and good or bad, each with a Prometheus query');
    return undefined;
  }
  const shape = sliShape({ total: total.query, ...(bad ? { bad: bad.query } : { good: good!.query }) });
  if (!shape.ok) {
    const where = shape.query === 'total' ? total : shape.query === 'bad' ? bad! : good!;
    sink.add(source, where.path, 'unsupported', shape.why, 'add it to the catalog by hand as a raw SLI');
    return undefined;
  }
  return { shape: shape.fields };
}

/** significant_labels and user_facing, which OpenSLO has no field for, from slokit's own export annotations. */
function slokitAnnotations(sink: FindingSink, source: SourceFile, meta: Obj): Pick<SliDraft, 'experimental' | 'alerting'> & { significant_labels?: string[]; user_facing?: boolean } {
  const annotations = isObj(meta.annotations) ? meta.annotations : {};
  const out: Pick<SliDraft, 'experimental' | 'alerting'> & { significant_labels?: string[]; user_facing?: boolean } = {};
  const labels = text(annotations[SIGNIFICANT_LABELS_ANNOTATION]);
  if (labels !== undefined) {
    const names = labels.split(',').map((l) => l.trim()).filter(Boolean);
    const bad = names.filter((n) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n));
    if (bad.length) sink.add(source, ['metadata', 'annotations', SIGNIFICANT_LABELS_ANNOTATION], 'error', `${SIGNIFICANT_LABELS_ANNOTATION} holds ${bad.map((b) => JSON.stringify(b)).join(', ')}, not label names`, 'write label names separated by commas, e.g. route,method');
    else if (names.length) out.significant_labels = names;
  }
  const flag = (key: string): boolean | undefined => {
    const v = text(annotations[key]);
    if (v === 'true' || v === 'false') return v === 'true';
    if (v !== undefined) sink.add(source, ['metadata', 'annotations', key], 'error', `${key} is ${JSON.stringify(v)}, not true or false`, 'write "true" or "false"');
    return undefined;
  };
  const facing = flag(USER_FACING_ANNOTATION);
  if (facing !== undefined) out.user_facing = facing;
  if (flag(EXPERIMENTAL_ANNOTATION)) out.experimental = true;
  const pages = flag(PAGES_ANNOTATION);
  const cessation = flag(TRAFFIC_CESSATION_ANNOTATION);
  if (pages !== undefined || cessation !== undefined) out.alerting = { ...(pages !== undefined ? { pages } : {}), ...(cessation !== undefined ? { traffic_cessation: cessation } : {}) };
  return out;
}
