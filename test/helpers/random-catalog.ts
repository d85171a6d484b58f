/**
 * Random valid catalogs for property tests: 1 or 2 services with SLIs of every kind, 1 to 3
 * teams, per-service and per-SLI overrides (extra alert labels and annotations too), and hostile text wherever the catalog takes free
 * text or a label value (quotes, backslashes, newlines, Go template and Markdown syntax, `$`,
 * unicode, control characters); objectives from 90% to 99.999% (90% with a catalog policy of
 * its own), RE2-only regexes, SLIs over the same events as another or a subset of them, SLIs
 * owned by another team than their service's, tickets-only, without the cessation ticket or
 * experimental, combined SLIs (several selectors or histograms summed), and aggregation
 * labels besides environment and cluster.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { HTTP_SERVER_DURATION, JOB_DURATION } from '../../sdk/src/contract.js';
import { BUNDLED_CATALOG } from './catalog.js';

/** Pieces that have broken a generator somewhere, combined at random. */
const HOSTILE = [
  '"', "'", '\\', '\\"', '\n', '\r\n', '\t', '{{', '}}', '{{ .Labels }}', '{{ $value }}', '$labels', '$value', '$1', '${x}',
  '`', '<script>alert(1)</script>', '<b>', '&amp;', '[link](javascript:alert(1))', '![x](http://evil.example/x.png)', '|', '#', '# ', '\n## Heading\n',
  '---', '...', '&anchor', '*alias', '<<: *x', ': ', '- ', '%', '@', '!tag', '~', '\u00e9', '\u00fc\u0308', '\u65e5\u672c', '\ud83d\udd25', '\u202e', '\u2028', '\ufeff',
  '\u0001', '\u007f', '/', '../', '..', '?', '&', '=', ',', '}', '{', ')', '(', ']', '[', '*', 'a', 'Z', '0', ' ',
];

const hostileText = (minLength: number) =>
  fc
    .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'grapheme', maxLength: 4 })), { minLength: 1, maxLength: 6 })
    .map((parts) => parts.join(''))
    .filter((s) => s.length >= minLength);

/** A non-empty label value (empty means "label absent" in PromQL), without U+FFFD, which slokit refuses in label values. */
const labelValue = hostileText(1).map((s) => s.replaceAll('\ufffd', '?'));

const word = fc.constantFrom('api', 'git', 'blob', 'queue', 'auth', 'ci', 'pages', 'mail', 'search', 'lfs');
const LABEL_NAMES = ['route', 'method', 'handler', 'tenant', 'path', 'shard'] as const;

/** PromQL's double-quoted string is Go's: JSON's escapes are a subset of it. */
const promqlString = (value: string) => JSON.stringify(value);

interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/**
 * Regexes as teams write them, several of which JavaScript reads differently from Prometheus'
 * RE2: literal braces, inline flags, POSIX classes, Unicode classes.
 */
const REGEXES = ['/v2/{name}/manifests/{reference}', '(?i)get|post', '(?i:ok)', 'x{2}', '5..|429', '[[:alpha:]]+', '\\pL+', 'api|git.*', '.+', '/-/(health|readiness)'];

const matchers = fc.uniqueArray(
  fc.oneof(
    fc.record({ label: fc.constantFrom(...LABEL_NAMES), op: fc.constantFrom('=' as const, '!=' as const), value: labelValue }),
    fc.record({ label: fc.constantFrom(...LABEL_NAMES), op: fc.constantFrom('=~' as const, '!~' as const), value: fc.constantFrom(...REGEXES) }),
  ),
  { minLength: 0, maxLength: 2, selector: (m) => m.label },
);

const selectorText = (metric: string, ms: readonly Matcher[], extra: readonly string[] = []) => {
  const parts = [...ms.map((m) => `${m.label}${m.op}${promqlString(m.value)}`), ...extra];
  return parts.length ? `${metric}{${parts.join(',')}}` : metric;
};

const OBJECTIVES = [90, 95, 98, 99, 99.5, 99.9, 99.95, 99.99, 99.999] as const;
const STANDARD_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const runbook = fc.record(
  {
    steps: fc.array(hostileText(1), { maxLength: 3 }),
    links: fc.array(fc.record({ title: hostileText(1), url: fc.oneof(fc.webUrl(), hostileText(1)) }), { maxLength: 2 }),
    commands: fc.array(hostileText(1), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

/** Extra alert labels and annotations (`alerting:`): their values are text that must reach the alert verbatim. */
const extraKeys = fc.constantFrom('category', 'owner', 'routing_key', 'slack_channel', 'x_1');
const extraLabels = fc.dictionary(extraKeys, hostileText(1), { maxKeys: 2 });
const extraAnnotations = fc.dictionary(extraKeys, hostileText(0), { maxKeys: 2 });
const alerting = fc.record(
  {
    labels: extraLabels,
    annotations: extraAnnotations,
    page: fc.record({ labels: extraLabels, annotations: extraAnnotations }, { requiredKeys: [] }),
    ticket: fc.record({ labels: extraLabels, annotations: extraAnnotations }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

/** An SLI's alerting: the same extras, and switches for its alerts. */
const sliAlerting = fc.record(
  {
    labels: extraLabels,
    annotations: extraAnnotations,
    page: fc.record({ labels: extraLabels, annotations: extraAnnotations }, { requiredKeys: [] }),
    ticket: fc.record({ labels: extraLabels, annotations: extraAnnotations }, { requiredKeys: [] }),
    pages: fc.boolean(),
    traffic_cessation: fc.boolean(),
  },
  { requiredKeys: [] },
);

/**
 * An experimental SLI (one in five) has no alerts, so nothing of them may be set: the alert
 * settings drawn for it go.
 */
function experimentalOrNot<T extends Record<string, unknown>>(sli: T, experimental: boolean): T {
  if (!experimental) return sli;
  const { alerting: _alerting, min_events: _minEvents, ...rest } = sli;
  return { ...rest, experimental: true } as unknown as T;
}

/**
 * A catalog policy of its own, with burn factors a 90% objective can reach (the bundled ones
 * page at 14.4x, which a 10% budget cannot burn): a page at 6x over 6h, a ticket at 1.1x over 3d.
 */
const LENIENT_POLICY = `name: lenient
description: Pages on a 5% spend in 6h, tickets on 11% in 3d (above a 28d period's sustainable rate).
evaluation:
  raw_window: 5m
  fast_interval: 1m
  slow_interval: 5m
  fast_windows_up_to: 1h
windows:
  - name: fast
    severity: critical
    budget_spent: 0.05
    long: 6h
    short: 30m
  - name: slow
    severity: warning
    budget_spent: 0.11
    long: 3d
    short: 6h
traffic_cessation:
  silence: 30m
  baseline: 6h
  min_expected_events: 100
`;

/**
 * A 28d period needs the four-weeks policy (the default one's 3d factor would fall below 1);
 * a 90% objective needs the lenient one (the default one's 14.4x is beyond a 10% budget).
 */
function fitPolicy<T extends { period?: string; alert_policy?: string; objective?: number }>(o: T): T {
  if (o.objective === 90) return { ...o, alert_policy: 'lenient' };
  return o.period === '28d' && o.alert_policy !== 'lenient' ? { ...o, alert_policy: 'four-weeks' } : o;
}

/** Fields every SLI may carry, each present or not. */
const sliOverrides = (ms: readonly Matcher[]) =>
  fc.record(
    {
      description: hostileText(1),
      objective: fc.constantFrom(...OBJECTIVES),
      period: fc.constantFrom('28d', '30d'),
      alert_policy: fc.constantFrom('default', 'four-weeks', 'lenient'),
      min_events: fc.integer({ min: 1, max: 100 }),
      user_facing: fc.boolean(),
      significant_labels: fc.constant(ms.map((m) => m.label)),
      runbook: runbook,
      alerting: sliAlerting,
      report_objectives: fc.constantFrom([{ name: 'sla', objective: 99 }], [{ name: 'sla', objective: 99.5 }, { name: 'internal', objective: 99.99 }]),
    },
    { requiredKeys: [] },
  );

/** An http or job SLI over the SDK's metric contract: availability, or latency at one of its buckets. */
const standardKind = (kind: 'http' | 'job', label: string, buckets: readonly number[]) =>
  fc.oneof(
    fc.record({ kind: fc.constant(kind), selector: labelValue.map((v) => `${label}=${promqlString(v)}`) }),
    fc.record({
      kind: fc.constant(kind),
      selector: labelValue.map((v) => `${label}=${promqlString(v)}`),
      measure: fc.constant('latency'),
      threshold: fc.constantFrom(...buckets.filter((b) => b > 0).slice(0, -1)),
    }),
  );

const sliKind = (metric: string) =>
  matchers.chain((ms) =>
    fc.oneof(
      fc.record({
        kind: fc.constant('error-ratio'),
        total: fc.constant(selectorText(`${metric}_total`, ms)),
        split: fc.oneof(
          fc.constant({ bad: selectorText(`${metric}_total`, ms, ['code=~"5.."']) }),
          fc.constant({ good: selectorText(`${metric}_total`, ms, ['outcome="ok"']) }),
        ),
      }).map(({ split, ...rest }) => ({ ...rest, ...split })),
      fc.subarray([...STANDARD_BUCKETS], { minLength: 3 }).chain((buckets) =>
        fc.record({
          kind: fc.constant('latency'),
          histogram: fc.constant(selectorText(`${metric}_duration_seconds`, ms)),
          threshold: fc.constantFrom(...buckets.slice(0, -1)),
          buckets: fc.constant(buckets),
        }),
      ),
      fc.subarray([...STANDARD_BUCKETS], { minLength: 3 }).chain((buckets) =>
        fc.integer({ min: 0, max: buckets.length - 3 }).chain((i) =>
          fc.record({
            kind: fc.constant('apdex'),
            histogram: fc.constant(selectorText(`${metric}_duration_seconds`, ms)),
            satisfied: fc.constant(buckets[i]!),
            tolerated: fc.constantFrom(...buckets.slice(i + 1, -1)),
            buckets: fc.constant(buckets),
          }),
        ),
      ),
      standardKind('http', 'job', HTTP_SERVER_DURATION.buckets),
      standardKind('job', 'queue', JOB_DURATION.buckets),
      fc.record({ kind: fc.constant('bool-gauge'), gauge: fc.constant(selectorText(`${metric}_probe_success`, ms)) }),
      fc.constantFrom((e: string) => e, (e: string) => `sum by (env, cluster) (${e})`, (e: string) => `sum without (${LABEL_NAMES[0]}) (${e})`).map((aggregate) => ({
        kind: 'raw',
        bad_rate: aggregate(`rate(${selectorText(`${metric}_failed_total`, ms)}[$window])`),
        total_rate: aggregate(`rate(${selectorText(`${metric}_handled_total`, ms)}[$window])`),
        test_series: { bad: selectorText(`${metric}_failed_total`, ms), total: selectorText(`${metric}_handled_total`, ms) },
      })),
      // Combined: main and canary stages of one counter, or two counters of failures beside one of all events.
      fc.constantFrom('stages', 'failures').map((form) => {
        const stage = (st: string, extra: string[] = []) => selectorText(`${metric}_total`, ms, [`stage="${st}"`, ...extra]);
        return form === 'stages'
          ? { kind: 'error-ratio', total: [stage('main'), stage('cny')], bad: [stage('main', ['code=~"5.."']), stage('cny', ['code=~"5.."'])] }
          : { kind: 'error-ratio', total: selectorText(`${metric}_total`, ms), bad: [selectorText(`${metric}_failed_total`, ms), selectorText(`${metric}_interrupted_total`, ms)] };
      }),
      // Combined: two histograms, each with thresholds of its own (latency or apdex).
      fc.tuple(fc.integer({ min: 0, max: STANDARD_BUCKETS.length - 3 }), fc.integer({ min: 0, max: STANDARD_BUCKETS.length - 3 }), fc.boolean()).map(([i, j, apdex]) => {
        const h = (part: string) => selectorText(`${metric}_${part}_duration_seconds`, ms);
        const limits = (k: number) => (apdex ? { satisfied: STANDARD_BUCKETS[k]!, tolerated: STANDARD_BUCKETS[k + 1]! } : { threshold: STANDARD_BUCKETS[k]! });
        return { kind: apdex ? 'apdex' : 'latency', histograms: [{ histogram: h('a'), ...limits(i) }, { histogram: h('b'), ...limits(j) }] };
      }),
      // Over histograms: two of them, each read at its own bucket, combined into one ratio.
      fc.tuple(fc.constantFrom(...STANDARD_BUCKETS.slice(0, -1)), fc.constantFrom(...STANDARD_BUCKETS.slice(0, -1))).map(([a, b]) => {
        const h = (part: string) => selectorText(`${metric}_${part}_duration_seconds`, ms);
        const rate = (part: string, suffix: string, le?: number) => `sum by (env, cluster) (rate(${selectorText(`${metric}_${part}_duration_seconds_${suffix}`, ms, le === undefined ? [] : [`le="${le}"`])}[$window]))`;
        return {
          kind: 'raw',
          bad_rate: `${rate('a', 'count')} - ${rate('a', 'bucket', a)} + ${rate('b', 'count')} - ${rate('b', 'bucket', b)}`,
          total_rate: `${rate('a', 'count')} + ${rate('b', 'count')}`,
          test_series: { histograms: [{ histogram: h('a'), le: [a] }, { histogram: h('b'), le: [b] }] },
        };
      }),
    ).chain((source) => sliOverrides(ms).map((overrides) => ({ ...source, ...fitPolicy(overrides) }))),
  );

/** Appends a matcher to a selector as the catalog writes it (`metric`, `metric{...}` or bare matchers). */
function narrowed(selector: string, matcher: string, bare = false): string {
  if (bare) return `${selector}, ${matcher}`;
  return selector.endsWith('}') ? `${selector.slice(0, -1)},${matcher}}` : `${selector}{${matcher}}`;
}

/**
 * Another SLI over the first one's events, as real catalogs have them: the same events at a
 * second objective (an SLO and its contract), or a subset of them (a whole-service SLI and a
 * per-route one). Its tests must not see the other's alerts.
 */
function overlapping(first: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const subset = 'subset="nested"';
  const nested = (): Record<string, unknown> | undefined => {
    if (first.kind === 'raw') return undefined;
    const out: Record<string, unknown> = { ...first };
    for (const key of ['total', 'bad', 'good', 'histogram', 'gauge'] as const) {
      const v = first[key];
      if (typeof v === 'string') out[key] = narrowed(v, subset);
      else if (Array.isArray(v)) out[key] = v.map((x: string) => narrowed(x, subset));
    }
    if (Array.isArray(first.histograms)) out.histograms = (first.histograms as { histogram: string }[]).map((h) => ({ ...h, histogram: narrowed(h.histogram, subset) }));
    if (typeof first.selector === 'string') out.selector = narrowed(first.selector, subset, true);
    return out;
  };
  const shapes = [{ ...first, objective: first.objective === 99 ? 99.5 : 99 }, ...(nested() ? [nested()!] : [])];
  return fc.constantFrom(...shapes).map((s) => fitPolicy({ ...s, name: 'overlap' } as { objective?: number; period?: string; alert_policy?: string }));
}

export interface RandomCatalog {
  /** Catalog files by path relative to the catalog directory. */
  readonly files: Record<string, string>;
  /** User journeys (journeys/*.yaml) over its SLIs. */
  readonly journeys: number;
  readonly services: number;
  readonly slis: number;
  readonly kinds: readonly string[];
  readonly objectives: readonly number[];
  /** SLIs over another SLI's events (the same ones, or a subset). */
  readonly overlapping: number;
  readonly resources: number;
  /** Its aggregation labels besides environment and cluster. */
  readonly also: readonly string[];
  /** SLIs with each of issue 24's switches: owned by another team than their service's, tickets only, without the cessation ticket, experimental, grouped, with report objectives. */
  /** SLIs that sum several selectors or histograms. */
  readonly combined: number;
  readonly switched: { readonly otherTeam: number; readonly ticketsOnly: number; readonly noCessation: number; readonly experimental: number; readonly grouped: number; readonly reportObjectives: number };
}

/** Saturation entries: bundled resources with hostile selector values, and custom ones with hostile text. */
const thresholds = fc.record({ soft: fc.constantFrom(0.3, 0.5, 0.7), hard: fc.constantFrom(0.8, 0.9, 0.95) });
const matchersOnly = (ms: readonly Matcher[]) => ms.map((m) => `${m.label}${m.op}${promqlString(m.value)}`).join(', ');
const bundledResource = fc
  .record({ resource: fc.constantFrom('node-cpu', 'node-disk', 'open-fds', 'redis-memory', 'job-workers', 'job-queue-latency'), ms: matchers, t: fc.option(thresholds, { nil: undefined }) })
  .map(({ resource, ms, t }) => ({ resource, ...(ms.length ? { selector: matchersOnly(ms) } : {}), ...(t ?? {}), ...(resource === 'job-workers' ? { capacity: 8 } : {}) }));
const customResource = (metric: string) =>
  fc
    .record({
      title: hostileText(1),
      description: hostileText(1),
      source: hostileText(1),
      usageMatchers: matchers,
      usage_type: fc.constantFrom('gauge' as const, 'counter' as const),
      measures: fc.constantFrom('used' as const, 'free' as const),
      capacity: fc.oneof(fc.constantFrom(10, 250, 0.5), fc.constant('series')),
      capacity_type: fc.constantFrom('gauge' as const, 'count' as const, 'counter' as const),
      by: fc.constantFrom(['instance'], ['shard'], ['instance', 'shard']),
      t: thresholds,
      add_capacity: fc.array(hostileText(1), { maxLength: 2 }),
    })
    .map(({ usageMatchers, capacity, capacity_type, t, ...rest }) => ({
      name: `${metric.replace(/_/g, '-')}-pool`,
      ...rest,
      usage: selectorText(`${metric}_in_use`, usageMatchers),
      ...(capacity === 'series' ? { capacity: selectorText(`${metric}_capacity`, usageMatchers), capacity_type } : { capacity }),
      ...t,
    }));
const saturation = (w: string) =>
  fc.tuple(fc.option(bundledResource, { nil: undefined }), fc.option(customResource(`${w}_pool`), { nil: undefined })).map((entries) => entries.filter((e) => e !== undefined));

const team = (name: string) =>
  fc.record(
    { name: fc.constant(name), description: hostileText(1), chat: hostileText(1), pager: hostileText(1), escalation: hostileText(1), issue_tracker: hostileText(1) },
    { requiredKeys: ['name', 'chat', 'pager', 'issue_tracker'] },
  );

export const randomCatalog: fc.Arbitrary<RandomCatalog> = fc
  .record({
    teamCount: fc.integer({ min: 1, max: 3 }),
    serviceWords: fc.uniqueArray(word, { minLength: 1, maxLength: 2 }),
    period: fc.constantFrom('30d', '35d'),
    minEvents: fc.integer({ min: 1, max: 50 }),
    prefix: fc.constantFrom('Slokit', 'Slo', 'GitLab2'),
    // Aggregation labels besides environment and cluster (labels.also), one a selector may name too.
    also: fc.constantFrom<string[]>([], [], ['region'], ['region', 'tenant']),
  })
  .chain(({ teamCount, serviceWords, period, minEvents, prefix, also }) => {
    const teamNames = Array.from({ length: teamCount }, (_, i) => `team-${i + 1}`);
    const services = serviceWords.map((w, i) =>
      fc.record(
        {
          name: fc.constant(`svc-${w}`),
          description: hostileText(1),
          team: fc.constantFrom(...teamNames),
          tier: fc.integer({ min: 1, max: 3 }),
          // A name, or the mapping form whose inhibit: false leaves the dependent paging.
          dependencies: fc
            .subarray(serviceWords.slice(0, i).map((d) => `svc-${d}`))
            .chain((names) => fc.tuple(...names.map((d) => fc.oneof(fc.constant<string | { service: string; inhibit: boolean }>(d), fc.record({ service: fc.constant(d), inhibit: fc.boolean() }))))),
          min_events: fc.integer({ min: 1, max: 100 }),
          runbook,
          alerting,
          saturation: saturation(w),
          slis: fc
            .uniqueArray(fc.constantFrom('requests', 'latency', 'jobs', 'writes'), { minLength: 1, maxLength: 2 })
            .chain((names) => fc.tuple(...names.map((n, j) => sliKind(`${w}_${n}_${j}`).map((sli) => ({ name: n, ...sli })))))
            .chain((slis) => fc.tuple(fc.constant(slis), fc.option(overlapping(slis[0]!), { nil: undefined })).map(([all, extra]) => (extra ? [...all, extra] : all)))
            // Some SLIs are another team's, some experimental.
            .chain((slis) =>
              fc.tuple(
                ...slis.map((sli) =>
                  fc
                    .record({
                      team: fc.option(fc.constantFrom(...teamNames), { nil: undefined, freq: 3 }),
                      experimental: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
                      // An SLO per method (a label the selectors may pin), bounded; raw SLIs group in their own sums.
                      grouped: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
                    })
                    .map(({ team, experimental, grouped }) =>
                      experimentalOrNot({ ...sli, ...(team ? { team } : {}), ...(grouped && (sli as { kind?: unknown }).kind !== 'raw' ? { group_by: { labels: ['method'], max_values: 3 } } : {}) } as typeof sli, experimental),
                    ),
                ),
              ),
            ),
        },
        { requiredKeys: ['name', 'description', 'team', 'tier', 'slis'] },
      ).map((s) => ({ ...s, dependencies: s.dependencies?.length ? s.dependencies : undefined, saturation: s.saturation?.length ? s.saturation : undefined })),
    );
    return fc.record({
      teams: fc.tuple(...teamNames.map(team)),
      services: fc.tuple(...services),
      defaults: fc.constant({ period, minEvents, prefix, also }),
      journeys: fc.array(journeyPlan, { maxLength: 2 }),
    });
  })
  .map(({ teams, services, defaults, journeys }) => {
    const defaultsText = readFileSync(join(BUNDLED_CATALOG, 'defaults.yaml'), 'utf8')
      .replace(/^period: \S+/m, `period: ${defaults.period}`)
      .replace(/^min_events: \S+/m, `min_events: ${defaults.minEvents}`)
      .replace(/^alert_prefix: \S+/m, `alert_prefix: ${defaults.prefix}`)
      .replace(/^( {2}cluster: cluster.*)$/m, defaults.also.length ? `$1\n  also: [${defaults.also.join(', ')}]` : '$1');
    const files: Record<string, string> = {
      'defaults.yaml': defaultsText,
      'policies/lenient.yaml': LENIENT_POLICY,
      // No folding: the yaml package can fold a long string between the halves of a surrogate pair.
      'teams.yaml': stringify({ teams }, { lineWidth: 0 }),
    };
    // A raw SLI keeps every aggregation label in its sums, as validation asks of it.
    const keep = (text: string) => (defaults.also.length ? text.replaceAll('sum by (env, cluster) (', `sum by (env, cluster, ${defaults.also.join(', ')}) (`) : text);
    for (const s of services) files[`services/${s.name}.yaml`] = keep(stringify(JSON.parse(JSON.stringify(s)), { lineWidth: 0 }));
    const written = journeyFiles(services as never, defaults.period, teams.map((t) => (t as { name: string }).name), journeys);
    Object.assign(files, written);
    const slis = services.flatMap((s) => s.slis);
    return { files, journeys: Object.keys(written).length, services: services.length, slis: slis.length, kinds: slis.map((s) => String(s.kind)), objectives: slis.map((s) => Number((s as { objective?: number }).objective ?? 0)).filter(Boolean), overlapping: slis.filter((s) => s.name === 'overlap').length, resources: services.reduce((n, s) => n + (s.saturation?.length ?? 0), 0), switched: switchedCounts(services), combined: slis.filter((s) => ['total', 'bad', 'good', 'histograms'].some((k) => Array.isArray((s as Record<string, unknown>)[k]))).length, also: defaults.also };
  });

/** How a random journey is drawn: its size, weighting, weights, whether it contains the journey before it, whether it alerts. */
const journeyPlan = fc.record({
  size: fc.integer({ min: 2, max: 3 }),
  offset: fc.nat({ max: 5 }),
  weighting: fc.constantFrom<'events' | 'components'>('events', 'components'),
  weights: fc.array(fc.constantFrom(0.5, 1, 2, 3), { minLength: 3, maxLength: 3 }),
  nested: fc.boolean(),
  alerts: fc.boolean(),
  objective: fc.constantFrom(99, 99.5, 99.9),
});

/**
 * Journeys over SLIs that measure the same period (a journey reads the windows its components
 * record, over one period): the default policy's (or four-weeks' for 28 days) when every
 * component has one of those, else the lenient one's, whose windows every SLI records.
 */
function journeyFiles(services: readonly { name: string; slis: readonly Record<string, unknown>[] }[], catalogPeriod: string, teams: readonly string[], plans: readonly (typeof journeyPlan extends fc.Arbitrary<infer P> ? P : never)[]): Record<string, string> {
  const files: Record<string, string> = {};
  const all = services.flatMap((s) => s.slis.map((sli) => ({ service: s.name, sli: String(sli.name), period: String(sli.period ?? catalogPeriod), policy: String(sli.alert_policy ?? 'default') })));
  const made: { name: string; period: string; weighting: string; policy: string }[] = [];
  plans.forEach((plan, k) => {
    const periods = [...new Set(all.map((x) => x.period))].sort();
    const period = periods[plan.offset % periods.length]!;
    const pool = all.filter((x) => x.period === period);
    if (pool.length < 2) return;
    const chosen = Array.from({ length: Math.min(plan.size, pool.length) }, (_, i) => pool[(plan.offset + i) % pool.length]!).filter((x, i, a) => a.findIndex((y) => y.service === x.service && y.sli === x.sli) === i);
    if (chosen.length < 2) return;
    const policy = chosen.every((x) => x.policy !== 'lenient') ? (period === '28d' ? 'four-weeks' : 'default') : 'lenient';
    // A journey inside: same period, events inside events (a components journey has no events to count), and every window this one reads (the lenient policy's are everyone's).
    const child = made.find((m) => m.period === period && (plan.weighting === 'components' || m.weighting === 'events') && (policy === 'lenient' || m.policy !== 'lenient'));
    const components = [
      ...chosen.map((x, i) => `  - { service: ${x.service}, sli: ${x.sli}, weight: ${plan.weights[i]} }`),
      ...(plan.nested && child ? [`  - { journey: ${child.name} }`] : []),
    ];
    const name = `journey-${k + 1}`;
    files[`journeys/${name}.yaml`] = [
      `name: ${name}`,
      'description: A random journey.',
      `team: ${teams[k % teams.length]}`,
      `objective: ${plan.objective}`,
      `period: ${period}`,
      `alert_policy: ${policy}`,
      `weighting: ${plan.weighting}`,
      'components:',
      ...components,
      `alerting: { burn_alerts: ${plan.alerts} }`,
      '',
    ].join('\n');
    made.push({ name, period, weighting: plan.weighting, policy });
  });
  return files;
}

function switchedCounts(services: readonly { team: string; slis: readonly Record<string, unknown>[] }[]): RandomCatalog['switched'] {
  const slis = services.flatMap((s) => s.slis.map((sli) => ({ sli, serviceTeam: s.team })));
  const alerting = (sli: Record<string, unknown>) => (sli.alerting ?? {}) as { pages?: boolean; traffic_cessation?: boolean };
  return {
    otherTeam: slis.filter(({ sli, serviceTeam }) => sli.team !== undefined && sli.team !== serviceTeam).length,
    ticketsOnly: slis.filter(({ sli }) => alerting(sli).pages === false).length,
    noCessation: slis.filter(({ sli }) => alerting(sli).traffic_cessation === false).length,
    experimental: slis.filter(({ sli }) => sli.experimental === true).length,
    grouped: slis.filter(({ sli }) => sli.group_by !== undefined).length,
    reportObjectives: slis.filter(({ sli }) => sli.report_objectives !== undefined).length,
  };
}

export function writeCatalog(dir: string, catalog: RandomCatalog): string {
  for (const [path, text] of Object.entries(catalog.files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
