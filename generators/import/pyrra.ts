/**
 * `slokit import pyrra`: Pyrra's ServiceLevelObjective objects (pyrra.dev/v1alpha1) to catalog
 * services. `ratio`, `latency` and `bool_gauge` indicators become error-ratio, latency and
 * bool-gauge SLIs, so slokit builds their rules, alerts, tests and dashboards; `latencyNative`
 * (native histograms) is reported where it is written. Pyrra has no services: an SLO joins the
 * service its `app.kubernetes.io/name` or `service` label names, else its namespace's.
 */
import type { SourceFile } from '../load/yaml-source.js';
import { parseDuration } from '../model/duration.js';
import { FindingSink, isObj, objectivePercent, policyForPeriod, safeName, untakenName, type ImportResult, type Obj, type ServiceDraft, type SliDraft } from './draft.js';
import { pyrraWindowsPolicy } from './pyrra-windows.js';
import type { PolicyDraft } from './sloth-windows.js';
import type { ImportContext } from './extras.js';
import { sliShape } from './sli-shape.js';
import { parseSelector } from '../promql/parse.js';
import { selectorText } from '../promql/escape.js';

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

export function importPyrra(sources: readonly SourceFile[], ctx: ImportContext): ImportResult {
  const sink = new FindingSink();
  const services = new Map<string, ServiceDraft>();
  const policies = new Map<string, PolicyDraft | undefined>();
  for (const source of sources) {
    const d = source.data;
    if (!isObj(d) || d.apiVersion !== 'pyrra.dev/v1alpha1' || d.kind !== 'ServiceLevelObjective') {
      sink.add(source, isObj(d) && d.apiVersion !== undefined ? ['apiVersion'] : [], 'error', 'not a Pyrra SLO: expected apiVersion: pyrra.dev/v1alpha1 and kind: ServiceLevelObjective');
      continue;
    }
    const meta: Obj = isObj(d.metadata) ? d.metadata : {};
    const spec: Obj = isObj(d.spec) ? d.spec : {};
    const labels: Obj = isObj(meta.labels) ? meta.labels : {};
    const sloName = str(meta.name);
    const name = sloName ? safeName(sloName) : undefined;
    if (!name) {
      sink.add(source, ['metadata', 'name'], 'error', 'the SLO has no usable metadata.name');
      continue;
    }
    if (name !== sloName) sink.add(source, ['metadata', 'name'], 'note', `SLO ${JSON.stringify(sloName)} is named ${name} in the catalog`);
    const serviceText = str(labels['app.kubernetes.io/name']) ?? str(labels.service) ?? str(meta.namespace) ?? sloName!;
    const serviceName = safeName(serviceText);
    const team = ctx.teamOverrides ? ctx.team : (safeName(str(labels.team) ?? str(labels.owner) ?? '') ?? ctx.team);
    if (!serviceName) {
      sink.add(source, ['metadata'], 'error', `service ${JSON.stringify(serviceText)} has no letters or digits to make a name from`);
      continue;
    }
    if (!team) sink.add(source, ['metadata', 'labels'], 'error', `SLO ${name} has no team or owner label to take its team from`, 'add a team label, or pass --team TEAM');

    const targetText = typeof spec.target === 'number' ? String(spec.target) : str(spec.target);
    const objective = targetText !== undefined && /^[0-9]*\.?[0-9]+$/.test(targetText) ? objectivePercent(Number(targetText) / 100) : undefined;
    if (objective === undefined) sink.add(source, ['spec', 'target'], 'error', `target ${JSON.stringify(spec.target ?? null)} is not a percentage between 0 and 100 (exclusive), e.g. "99.9"`);
    const windowText = str(spec.window);
    const window = windowText ? parseDuration(windowText) : undefined;
    if (!window) sink.add(source, ['spec', 'window'], 'error', `window ${JSON.stringify(spec.window ?? null)} is not a Prometheus duration such as 4w or 30d`);

    const shape = indicator(sink, source, isObj(spec.indicator) ? spec.indicator : {}, name);
    const alerting: Obj = isObj(spec.alerting) ? spec.alerting : {};
    const experimental = alerting.disabled === true;
    if (experimental) sink.add(source, ['spec', 'alerting', 'disabled'], 'note', `SLO ${name}: alerting is disabled in Pyrra, so the SLI is experimental: recorded and drawn, never alerted on`);
    if (str(alerting.name)) sink.add(source, ['spec', 'alerting', 'name'], 'note', `alert name ${String(alerting.name)} is not kept: slokit names its alerts by what fired and labels them with service and sli`);
    if (!shape || objective === undefined || !window || !team) continue;

    let service = services.get(serviceName);
    if (!service) {
      service = { name: serviceName, description: `${serviceText} (imported from Pyrra).`, team, tier: 2, slis: [], from: source.file };
      services.set(serviceName, service);
    }
    const unique = untakenName(name, (n) => service!.slis.some((x) => x.name === n));
    if (unique !== name) sink.add(source, ['metadata', 'name'], 'note', `SLO ${JSON.stringify(sloName)} is named ${unique} in the catalog: ${name} is taken by another SLO of ${serviceName}`);
    const description = str(spec.description);
    // Pyrra's own windows for this period become a catalog policy (one per period imported).
    let policy = policies.get(window.text);
    if (!policy) {
      const made = pyrraWindowsPolicy(window, source.file);
      if ('refused' in made) sink.add(source, ['spec', 'window'], 'note', `SLO ${name}: ${made.refused}; it gets slokit's ${policyForPeriod(window.seconds).alert_policy ?? 'default'} policy instead`);
      policy = 'refused' in made ? undefined : made;
      policies.set(window.text, policy);
      if (policy) sink.add(source, ['spec', 'window'], 'note', `SLO ${name}: Pyrra's burn-rate windows for ${window.text} become alert policy ${policy.name} (policies/${policy.name}.yaml); Pyrra's alert 'for' durations are not kept, slokit's short windows do that work`);
    }
    service.slis.push({
      name: unique,
      ...(description ? { description } : {}),
      // SLOs of one service may name different owners: the first names the service's team, the others their SLI's.
      ...(team !== service.team ? { team } : {}),
      ...(experimental ? { experimental } : {}),
      ...shape,
      objective,
      period: window.text,
      ...(policy ? { alert_policy: policy.name } : policyForPeriod(window.seconds)),
    } as SliDraft);
  }
  return { services: [...services.values()], policies: [...policies.values()].filter((p): p is PolicyDraft => p !== undefined), findings: sink.findings };
}

/** A ratio, latency or bool-gauge indicator as slokit SLI fields; latencyNative reported where it is written. */
function indicator(sink: FindingSink, source: SourceFile, ind: Obj, name: string): (Pick<SliDraft, 'kind' | 'bad' | 'good' | 'total' | 'histogram' | 'threshold' | 'gauge'> & { significant_labels?: string[] }) | undefined {
  const at = (...p: string[]) => ['spec', 'indicator', ...p];
  const metric = (q: unknown) => (isObj(q) ? str(q.metric) : undefined);
  const kind = ['ratio', 'latency', 'bool_gauge'].find((k) => isObj(ind[k]));
  if (!kind) {
    if (ind.latencyNative !== undefined) sink.add(source, at('latencyNative'), 'unsupported', `SLO ${name}: latencyNative reads native histograms, which slokit's SLI kinds do not (they read classic _bucket and _count series)`, 'expose a classic histogram too and write it as latency, or add it to the catalog by hand as a raw SLI');
    else sink.add(source, at(), 'error', `SLO ${name} has no ratio, latency, latencyNative or bool_gauge indicator`);
    return undefined;
  }
  const spec = ind[kind] as Obj;
  const grouping = groupingOf(sink, source, spec, name, at(kind, 'grouping'));
  if (kind === 'bool_gauge') {
    const gauge = str(spec.metric);
    const selector = gauge === undefined ? undefined : parseSelector(gauge);
    if (!selector?.ok) {
      sink.add(source, at(kind, 'metric'), 'error', `SLO ${name}: the bool_gauge indicator needs metric: a series selector of a 0/1 gauge${selector ? ` (${selector.error})` : ''}`, 'write e.g. metric: probe_success{job="blackbox"}');
      return undefined;
    }
    return { kind: 'bool-gauge', gauge: selectorText(selector.value), ...groupingFields(grouping) };
  }
  const [partKey, partText] = kind === 'ratio' ? ['errors', metric(spec.errors)] : ['success', metric(spec.success)];
  const totalText = metric(spec.total);
  if (!partText || !totalText) {
    sink.add(source, at(kind), 'error', `the ${kind} indicator needs ${partKey}.metric and total.metric`);
    return undefined;
  }
  const shape = sliShape(kind === 'ratio' ? { bad: partText, total: totalText } : { good: partText, total: totalText });
  if (!shape.ok) {
    sink.add(source, at(kind, shape.query === 'total' ? 'total' : partKey, 'metric'), 'unsupported', `SLO ${name}: ${shape.why}`, 'add it to the catalog by hand as a raw SLI (bad_rate, total_rate with [$window], test_series)');
    return undefined;
  }
  return { ...shape.fields, ...groupingFields(grouping) };
}

/** Groups slokit bounds an imported grouping to: Pyrra sets none, so the team reviews it. */
const IMPORTED_MAX_GROUPS = 20;

/** An SLO per group, and the groups to drill down by on dashboards and in runbooks. */
function groupingFields(grouping: readonly string[]): Pick<SliDraft, 'group_by'> & { significant_labels?: string[] } {
  if (!grouping.length) return {};
  return { group_by: { labels: grouping.slice(0, 3), max_values: IMPORTED_MAX_GROUPS }, significant_labels: [...grouping] };
}

/** Pyrra's grouping (an SLO per label value), said where it is written; the catalog's own aggregation labels are per-value already. */
function groupingOf(sink: FindingSink, source: SourceFile, spec: Obj, name: string, where: string[]): string[] {
  const written = Array.isArray(spec.grouping) ? spec.grouping.filter((g): g is string => typeof g === 'string' && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(g)) : [];
  const grouping = written.filter((g) => !['env', 'cluster', 'environment'].includes(g));
  if (grouping.length) {
    sink.add(source, where, 'note', `SLO ${name}: the grouping by (${grouping.join(', ')}) becomes group_by: an SLO per group, at most ${IMPORTED_MAX_GROUPS} groups per environment and cluster (Pyrra sets no bound: review max_values)`);
  }
  return grouping;
}
