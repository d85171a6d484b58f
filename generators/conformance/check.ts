/**
 * Conformance: does a running service expose what its catalog entry's SLIs query? Each check
 * is a named unit with a clear message. Exported for teams' own test suites as well as used by
 * `slokit conformance`.
 */
import { spawnSync } from 'node:child_process';
import type { Model, Selector, Sli } from '../model/types.js';
import { formatNumber } from '../model/decimal.js';
import { parseExposition, type Sample } from './exposition.js';

export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  readonly message: string;
}

export interface ConformanceOptions {
  /** Most series one metric family may have (default 1000, the SDK's default cap). */
  readonly maxSeriesPerMetric?: number;
  /** Run `promtool check metrics` too (default true). */
  readonly promtool?: boolean;
}

/** Labels Prometheus adds at scrape or relabel time; a service cannot expose them itself. */
function targetLabels(model: Model): Set<string> {
  return new Set(['job', 'instance', ...model.settings.aggregationLabels]);
}

interface Need {
  readonly sli: string;
  readonly metric: string;
  readonly labels: readonly string[];
  readonly bucket?: number;
}

function needsOf(model: Model, sli: Sli): Need[] {
  const external = targetLabels(model);
  const labelsOf = (s: Selector) => [...new Set([...s.matchers.map((m) => m.label), ...sli.significantLabels])].filter((l) => !external.has(l) && l !== 'le');
  const ev = sli.events;
  switch (ev.type) {
    case 'counters':
      return [...ev.total, ...(ev.bad ?? []), ...(ev.good ?? [])].map((s) => ({ sli: sli.name, metric: s.metric, labels: labelsOf(s) }));
    case 'histogram':
      return ev.parts.flatMap(({ histogram: h, satisfied, tolerated }) => [
        { sli: sli.name, metric: `${h.metric}_count`, labels: labelsOf(h) },
        ...[satisfied, ...(tolerated !== undefined ? [tolerated] : [])].map((t) => ({ sli: sli.name, metric: `${h.metric}_bucket`, labels: labelsOf(h), bucket: t })),
      ]);
    case 'gauge':
      return [{ sli: sli.name, metric: ev.gauge.metric, labels: labelsOf(ev.gauge) }];
    case 'raw':
      if (ev.testSeries.histograms) {
        return ev.testSeries.histograms.flatMap(({ histogram: h, le }) => [
          { sli: sli.name, metric: `${h.metric}_count`, labels: labelsOf(h) },
          ...le.map((t) => ({ sli: sli.name, metric: `${h.metric}_bucket`, labels: labelsOf(h), bucket: t })),
        ]);
      }
      return [ev.testSeries.bad, ev.testSeries.good, ev.testSeries.total].filter((s): s is Selector => !!s).map((s) => ({ sli: sli.name, metric: s.metric, labels: labelsOf(s) }));
  }
}

function family(name: string): string {
  return name.replace(/_(bucket|count|sum|total|created)$/, '');
}

export function checkConformance(model: Model, serviceName: string, metricsText: string, options: ConformanceOptions = {}): CheckResult[] {
  const service = model.services.find((s) => s.name === serviceName);
  if (!service) return [{ check: 'service', ok: false, message: `service "${serviceName}" is not in the catalog` }];
  const { samples, errors } = parseExposition(metricsText);
  const results: CheckResult[] = [];
  const byName = new Map<string, Sample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);

  results.push({ check: 'exposition-parses', ok: errors.length === 0, message: errors.length ? errors.slice(0, 3).join('; ') : `${samples.length} samples` });

  for (const sli of service.slis) {
    for (const need of needsOf(model, sli)) {
      const series = byName.get(need.metric) ?? [];
      if (!series.length) {
        results.push({ check: 'metric-present', ok: false, message: `${sli.name}: ${need.metric} is not exposed; the SLI queries it` });
        continue;
      }
      const missing = need.labels.filter((l) => !series.some((s) => l in s.labels));
      results.push({
        check: 'metric-present',
        ok: missing.length === 0,
        message: missing.length ? `${sli.name}: ${need.metric} lacks label(s) ${missing.join(', ')}` : `${sli.name}: ${need.metric} with ${need.labels.join(', ') || 'no required labels'}`,
      });
      if (need.bucket !== undefined) {
        const les = new Set(series.map((s) => s.labels.le).filter((v): v is string => v !== undefined).map(Number));
        const ok = les.has(need.bucket);
        results.push({
          check: 'threshold-is-bucket',
          ok,
          message: ok
            ? `${sli.name}: ${formatNumber(need.bucket)}s is a bucket of ${need.metric}`
            : `${sli.name}: ${formatNumber(need.bucket)}s is not a bucket boundary of ${need.metric} (boundaries: ${[...les].sort((a, b) => a - b).map(formatNumber).join(', ') || 'none'})`,
        });
      }
    }
  }

  const cap = options.maxSeriesPerMetric ?? 1000;
  const perFamily = new Map<string, Set<string>>();
  for (const s of samples) {
    const { le: _le, ...rest } = s.labels;
    void _le;
    const key = JSON.stringify(rest);
    const f = family(s.name);
    perFamily.set(f, (perFamily.get(f) ?? new Set()).add(key));
  }
  const over = [...perFamily].filter(([, sets]) => sets.size > cap).sort((a, b) => b[1].size - a[1].size);
  results.push({
    check: 'cardinality',
    ok: over.length === 0,
    message: over.length ? over.map(([f, sets]) => `${f} has ${sets.size} series, over the budget of ${cap}`).join('; ') : `every metric family within ${cap} series`,
  });

  if (options.promtool !== false) {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: metricsText, encoding: 'utf8' });
    if (r.error) results.push({ check: 'promtool-check-metrics', ok: false, message: "promtool not found: install Debian's 'prometheus' package" });
    else {
      // Findings on the series the SLIs read fail the check; findings on other families (a
      // client library's runtime metrics, say) are reported but are not the service's SLO contract.
      const slo = new Set(service.slis.flatMap((sli) => needsOf(model, sli).map((n) => family(n.metric))));
      const findings = `${r.stdout}${r.stderr}`.trim().split('\n').filter(Boolean);
      const blocking = findings.filter((f) => slo.has(family(f.split(' ')[0] ?? '')));
      const other = findings.filter((f) => !blocking.includes(f));
      results.push({
        check: 'promtool-check-metrics',
        ok: blocking.length === 0 && (r.status === 0 || findings.length > 0),
        message: [blocking.length ? blocking.join('; ') : 'no problems with the SLI metrics', ...(other.length ? [`(not SLI metrics, ignored: ${other.join('; ')})`] : [])].join(' '),
      });
    }
  }
  return results;
}

export function formatResults(results: readonly CheckResult[]): string {
  return results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.check.padEnd(22)} ${r.message}`).join('\n');
}
