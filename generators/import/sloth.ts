/**
 * `slokit import sloth`: Sloth `prometheus/v1` specs (and the same spec as a Kubernetes
 * `PrometheusServiceLevel`) to catalog services. Event SLIs over counters and histograms become
 * error-ratio and latency SLIs, so slokit builds their rules, alerts, tests and dashboards;
 * everything it cannot carry over is reported where it is written.
 */
import type { PathSegment, SourceFile } from '../load/yaml-source.js';
import type { ExtrasDoc, SliAlertingDoc } from '../model/alert-extras.js';
import { FindingSink, isObj, objectivePercent, safeName, untakenName, withWindow, type ImportResult, type Obj, type ServiceDraft, type SliDraft } from './draft.js';
import { carriedValues, type ImportContext } from './extras.js';
import { ratioShape, sliShape } from './sli-shape.js';
import { slothWindowsPolicy, type PolicyDraft } from './sloth-windows.js';

/**
 * Sloth's two forms spell the same fields differently: the prometheus/v1 file in snake_case,
 * the PrometheusServiceLevel object (Kubernetes) in camelCase. Kubernetes prunes a field its
 * schema does not know, so a CRD written with the file's spelling loses it silently.
 */
interface Spelling {
  readonly form: string;
  readonly errorQuery: string;
  readonly totalQuery: string;
  readonly errorRatioQuery: string;
  readonly pageAlert: string;
  readonly ticketAlert: string;
  readonly sloPlugins: string;
}
const FILE_SPELLING: Spelling = { form: 'a prometheus/v1 spec', errorQuery: 'error_query', totalQuery: 'total_query', errorRatioQuery: 'error_ratio_query', pageAlert: 'page_alert', ticketAlert: 'ticket_alert', sloPlugins: 'slo_plugins' };
const CRD_SPELLING: Spelling = { form: 'a PrometheusServiceLevel', errorQuery: 'errorQuery', totalQuery: 'totalQuery', errorRatioQuery: 'errorRatioQuery', pageAlert: 'pageAlert', ticketAlert: 'ticketAlert', sloPlugins: 'sloPlugins' };
const FIELDS = ['errorQuery', 'totalQuery', 'errorRatioQuery', 'pageAlert', 'ticketAlert', 'sloPlugins'] as const;

/** Fields of `obj` written in the other form's spelling, each an error where it is written; how many. */
function misspelled(sink: FindingSink, source: SourceFile, base: PathSegment[], obj: Obj, spelling: Spelling): number {
  const other = spelling === CRD_SPELLING ? FILE_SPELLING : CRD_SPELLING;
  let count = 0;
  for (const f of FIELDS) {
    if (other[f] !== spelling[f] && obj[other[f]] !== undefined && obj[spelling[f]] === undefined) {
      count++;
      sink.add(source, [...base, other[f]], 'error', `${other[f]} is how ${other.form} spells it; in ${spelling.form} it is ${spelling[f]}`, `rename it to ${spelling[f]}${spelling === CRD_SPELLING ? ' (Kubernetes drops a field its schema does not know)' : ''}`);
    }
  }
  return count;
}

export function importSloth(sources: readonly SourceFile[], ctx: ImportContext): ImportResult {
  const sink = new FindingSink();
  const services: ServiceDraft[] = [];
  const policies: PolicyDraft[] = [];
  for (const source of sources) {
    const d = source.data;
    if (!isObj(d)) {
      sink.add(source, [], 'error', 'not a Sloth spec: expected a mapping with version: prometheus/v1');
      continue;
    }
    if (d.version === 'prometheus/v1') {
      const s = service(sink, source, [], d, ctx, FILE_SPELLING);
      if (s) services.push(s);
    } else if (d.apiVersion === 'sloth.slok.dev/v1' && d.kind === 'PrometheusServiceLevel') {
      const s = isObj(d.spec) ? service(sink, source, ['spec'], d.spec, ctx, CRD_SPELLING) : undefined;
      if (!isObj(d.spec)) sink.add(source, ['spec'], 'error', 'PrometheusServiceLevel has no spec');
      if (s) services.push(s);
    } else if (d.apiVersion === 'sloth.slok.dev/v1' && d.kind === 'AlertWindows') {
      const policy = slothWindowsPolicy(sink, source, d);
      if (policy) policies.push(policy);
    } else if (typeof d.apiVersion === 'string' && d.apiVersion.startsWith('openslo/')) {
      sink.add(source, ['apiVersion'], 'unsupported', `this is an OpenSLO ${String(d.kind ?? '')} document, not a Sloth spec`, 'import it with: slokit import openslo FILE');
    } else {
      sink.add(source, d.version !== undefined ? ['version'] : [], 'error', `not a Sloth spec: version ${JSON.stringify(d.version ?? d.apiVersion ?? null)}`, 'Sloth specs start with version: "prometheus/v1"');
    }
  }
  // As `sloth generate --slo-period-windows-path`: one set of windows applies to every SLO.
  if (policies.length === 1) {
    const [policy] = policies;
    for (const s of services) for (const x of s.slis) Object.assign(x, { period: policy!.period, alert_policy: policy!.name });
    if (services.length) sink.findings.push({ file: policy!.from, line: 1, col: 1, level: 'note', message: `every imported SLO gets period ${policy!.period} and alert policy ${policy!.name} (policies/${policy!.name}.yaml)` });
  } else if (policies.length === 0 && ctx.slothPeriod === '28d' && services.length) {
    // Sloth's built-in 28d windows spend 10% of the budget over 3d: a 0.93x burn, which would
    // ticket while the objective is met. The bundled four-weeks policy is the same but for 11% there.
    for (const s of services) for (const x of s.slis) Object.assign(x, { period: '28d', alert_policy: 'four-weeks' });
    const first = services[0]!;
    sink.findings.push({ file: first.from, line: 1, col: 1, level: 'note', message: 'Sloth\'s built-in 28d windows become period 28d with the bundled four-weeks policy: the same windows and budget shares, except that the 3d ticket spends 11% of the budget, not 10% (a 0.93x burn, which would ticket while the objective is met)' });
  } else if (policies.length > 1) {
    for (const p of policies) sink.findings.push({ file: p.from, line: 1, col: 1, level: 'note', message: `alert policy ${p.name} is written to policies/${p.name}.yaml; with several, set alert_policy and period on the SLIs yourself` });
  }
  const seen = new Set<string>();
  for (const s of services) {
    if (seen.has(s.name)) sink.findings.push({ file: s.from, line: 1, col: 1, level: 'error', message: `service ${s.name} is defined twice in the imported files`, hint: 'put all its SLOs in one spec' });
    seen.add(s.name);
  }
  return { services, policies, findings: sink.findings };
}

function service(sink: FindingSink, source: SourceFile, base: PathSegment[], spec: Obj, ctx: ImportContext, spelling: Spelling): ServiceDraft | undefined {
  const at = (...p: PathSegment[]) => [...base, ...p];
  if (typeof spec.service !== 'string') {
    sink.add(source, at('service'), 'error', 'service is missing or not text');
    return undefined;
  }
  const name = safeName(spec.service);
  if (!name) {
    sink.add(source, at('service'), 'error', `service ${JSON.stringify(spec.service)} has no letters or digits to make a name from`);
    return undefined;
  }
  if (name !== spec.service) sink.add(source, at('service'), 'note', `service ${JSON.stringify(spec.service)} is named ${name} in the catalog`, 'slokit names are lower-case letters, digits and dashes, at most 30 characters');
  const labels = isObj(spec.labels) ? { ...spec.labels } : {};
  const owner = typeof labels.owner === 'string' ? safeName(labels.owner) : undefined;
  delete labels.owner;
  const team = ctx.teamOverrides ? ctx.team : (owner ?? ctx.team);
  // Without a team the service cannot be written, but its SLOs' own problems are still worth reporting now.
  if (!team) sink.add(source, at('labels'), 'error', `service ${name} has no owner label to take its team from`, 'add labels: { owner: TEAM } to the spec, or pass --team TEAM');
  let tier: 1 | 2 | 3 = 2;
  if (labels.tier !== undefined) {
    const t = String(labels.tier);
    if (t === '1' || t === '2' || t === '3') tier = Number(t) as 1 | 2 | 3;
    else sink.add(source, at('labels', 'tier'), 'note', `tier ${JSON.stringify(labels.tier)} is not a slokit tier (1, 2 or 3); the service gets tier 2`);
    delete labels.tier;
  }
  const serviceLabels = carriedValues(sink, source, at('labels'), labels, 'label', ctx, 'the service\'s other labels go on every alert');
  if (!Array.isArray(spec.slos) || spec.slos.length === 0) {
    sink.add(source, at('slos'), 'error', 'slos is missing or empty');
    return undefined;
  }
  const slis: SliDraft[] = [];
  let pagesDisabled = 0;
  spec.slos.forEach((slo, i) => {
    const r = sli(sink, source, at('slos', i), slo, ctx, spelling);
    if (!r) return;
    const unique = untakenName(r.sli.name, (n) => slis.some((x) => x.name === n));
    if (unique !== r.sli.name) {
      sink.add(source, at('slos', i, 'name'), 'note', `SLO ${JSON.stringify((slo as Obj).name)} is named ${unique} in the catalog: ${r.sli.name} is taken by another SLO of ${name}`, 'slokit SLI names are at most 30 characters; rename one of them in the catalog if you prefer');
      r.sli.name = unique;
    }
    if (r.pageDisabled) pagesDisabled++;
    slis.push(r.sli);
  });
  if (!slis.length || !team) return undefined;
  if (pagesDisabled === slis.length) {
    tier = 3;
    sink.add(source, at('slos'), 'note', `every SLO of ${name} disables its page alerts, so the service gets tier 3 (tickets only)`);
    for (const s of slis) {
      if (!s.alerting) continue;
      delete s.alerting.pages;
      if (!Object.keys(s.alerting).length) delete s.alerting;
    }
  } else if (pagesDisabled) {
    sink.add(source, at('slos'), 'note', `some SLOs of ${name} disable page alerts: those SLIs open tickets only (alerting.pages: false)`);
  }
  return {
    name,
    description: `${spec.service} (imported from Sloth).`,
    team,
    tier,
    ...(serviceLabels ? { alerting: { labels: serviceLabels } } : {}),
    slis,
    from: source.file,
  };
}

function sli(sink: FindingSink, source: SourceFile, base: PathSegment[], slo: unknown, ctx: ImportContext, spelling: Spelling): { sli: SliDraft; pageDisabled: boolean } | undefined {
  const at = (...p: PathSegment[]) => [...base, ...p];
  if (!isObj(slo)) {
    sink.add(source, base, 'error', 'an SLO must be a mapping');
    return undefined;
  }
  const name = typeof slo.name === 'string' ? safeName(slo.name) : undefined;
  if (!name) {
    sink.add(source, at('name'), 'error', 'the SLO has no usable name');
    return undefined;
  }
  if (name !== slo.name) sink.add(source, at('name'), 'note', `SLO ${JSON.stringify(slo.name)} is named ${name} in the catalog`);
  const objective = typeof slo.objective === 'number' ? objectivePercent(slo.objective / 100) : undefined;
  if (objective === undefined) {
    sink.add(source, at('objective'), 'error', `objective ${JSON.stringify(slo.objective ?? null)} is not a percentage between 0 and 100 (exclusive)`);
    return undefined;
  }
  const spec = isObj(slo.sli) ? slo.sli : {};
  misspelled(sink, source, base, slo, spelling);
  if (isObj(slo.alerting)) misspelled(sink, source, at('alerting'), slo.alerting, spelling);
  // A query under the other form's spelling is reported as that, not as missing.
  if (isObj(spec.events) && misspelled(sink, source, at('sli', 'events'), spec.events, spelling)) return undefined;
  if (isObj(spec.raw) && misspelled(sink, source, at('sli', 'raw'), spec.raw, spelling)) return undefined;
  plugins(sink, source, at(spelling.sloPlugins), slo[spelling.sloPlugins], name);
  let shapeFields: Omit<SliDraft, 'name' | 'objective'> | undefined;
  if (isObj(spec.events)) {
    const bad = spec.events[spelling.errorQuery];
    const total = spec.events[spelling.totalQuery];
    if (typeof bad !== 'string' || typeof total !== 'string') {
      sink.add(source, at('sli', 'events'), 'error', `events needs ${spelling.errorQuery} and ${spelling.totalQuery}`);
      return undefined;
    }
    const shape = sliShape({ bad: withWindow(bad), total: withWindow(total) });
    if (!shape.ok) {
      sink.add(source, at('sli', 'events', shape.query === 'total' ? spelling.totalQuery : spelling.errorQuery), 'unsupported', `SLO ${name}: ${shape.why}`, 'add it to the catalog by hand as a raw SLI (bad_rate, total_rate with [$window], test_series)');
      return undefined;
    }
    if (shape.grouping.length) sink.add(source, at('sli', 'events'), 'note', `SLO ${name}: the grouping by (${shape.grouping.join(', ')}) is not kept; slokit sums by the catalog's environment and cluster labels`);
    shapeFields = shape.fields;
  } else if (isObj(spec.raw)) {
    // A ratio converts when it divides counter rates: those are the events.
    const query = spec.raw[spelling.errorRatioQuery];
    const shape = typeof query === 'string' ? ratioShape(withWindow(query)) : undefined;
    if (!shape?.ok) {
      sink.add(source, at('sli', 'raw', spelling.errorRatioQuery), 'unsupported', `SLO ${name}: this raw SLI's error ratio is not a ratio of counter rates, so slokit cannot count its events; its windows, budgets and generated tests are built on bad and total event rates`, 'rewrite it as events (error_query and total_query over counters), or add it by hand as a raw SLI with bad_rate, total_rate and test_series');
      return undefined;
    }
    if (shape.grouping.length) sink.add(source, at('sli', 'raw'), 'note', `SLO ${name}: the grouping by (${shape.grouping.join(', ')}) is not kept; slokit sums by the catalog's environment and cluster labels`);
    shapeFields = shape.fields;
  } else if (isObj(spec.plugin)) {
    sink.add(source, at('sli', 'plugin'), 'unsupported', `SLO ${name}: Sloth SLI plugins are Go code that slokit cannot run`, 'write the queries the plugin produces as events');
    return undefined;
  } else {
    sink.add(source, at('sli'), 'error', `SLO ${name} has no events, raw or plugin SLI`);
    return undefined;
  }
  const alerting: SliAlertingDoc = {};
  const labels = { ...carriedValues(sink, source, at('labels'), slo.labels, 'label', ctx, 'the SLO\'s labels go on its alerts (not on recorded series)') };
  const a = isObj(slo.alerting) ? slo.alerting : {};
  if (typeof a.name === 'string') sink.add(source, at('alerting', 'name'), 'note', `alert name ${a.name} is not kept: slokit names its alerts by what fired (e.g. SlokitErrorBudgetBurnFast) and labels them with service and sli`);
  Object.assign(labels, carriedValues(sink, source, at('alerting', 'labels'), a.labels, 'label', ctx, 'slokit derives its own from the catalog'));
  const annotations = carriedValues(sink, source, at('alerting', 'annotations'), a.annotations, 'annotation', ctx, 'slokit writes its own from the catalog');
  if (Object.keys(labels).length) alerting.labels = labels;
  if (annotations) alerting.annotations = annotations;
  let pageDisabled = false;
  for (const [key, kind] of [[spelling.pageAlert, 'page'], [spelling.ticketAlert, 'ticket']] as const) {
    const part = isObj(a[key]) ? a[key] : {};
    if (part.disable === true) {
      if (kind === 'page') {
        pageDisabled = true;
        alerting.pages = false;
      }
      else sink.add(source, at('alerting', key, 'disable'), 'note', `SLO ${name}: ticket alerts cannot be disabled; slokit always opens a ticket on a slow burn`);
    }
    const l = carriedValues(sink, source, at('alerting', key, 'labels'), part.labels, 'label', ctx, `slokit's severity is critical for pages and warning for tickets; route on another label`);
    const n = carriedValues(sink, source, at('alerting', key, 'annotations'), part.annotations, 'annotation', ctx, 'slokit writes its own from the catalog');
    if (l || n) alerting[kind] = { ...(l ? { labels: l } : {}), ...(n ? { annotations: n } : {}) };
  }
  const description = typeof slo.description === 'string' && slo.description.trim() ? slo.description : undefined;
  return {
    sli: { name, ...(description ? { description } : {}), ...shapeFields, objective, ...(Object.keys(alerting).length ? { alerting } : {}) } as SliDraft,
    pageDisabled,
  };
}

/**
 * SLO plugins (`sloPlugins` / `slo_plugins: { chain: [{ id, config }] }`) are Go code run on
 * the generated rules, often to add labels to every one; slokit cannot run them, so each is
 * reported where it is written with what it was asked to do.
 */
function plugins(sink: FindingSink, source: SourceFile, base: PathSegment[], value: unknown, slo: string): void {
  if (value === undefined) return;
  const chain = isObj(value) && Array.isArray(value.chain) ? value.chain : [];
  if (!chain.length) {
    sink.add(source, base, 'note', `SLO ${slo}: its SLO plugin settings are not kept (slokit runs no Sloth plugins)`);
    return;
  }
  chain.forEach((p, i) => {
    const id = isObj(p) && typeof p.id === 'string' ? p.id : 'a plugin without an id';
    const config = isObj(p) && p.config !== undefined ? ` with config ${JSON.stringify(p.config)}` : '';
    sink.add(source, [...base, 'chain', i], 'note', `SLO ${slo}: SLO plugin ${id}${config} is not applied: plugins are Go code that slokit cannot run, and whatever it adds to the rules (labels, changed queries) will be missing`, 'add what it did by hand: labels go under alerting.labels of the SLI or service');
  });
}
