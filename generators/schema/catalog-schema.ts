/**
 * The catalog schema: the one source of truth. `slokit schema` emits it as JSON Schema into
 * catalog/schema/ for editors; the validator checks documents against the same objects.
 */
import { Type, type TSchema, type TObject } from '@sinclair/typebox';

/** A string enum as plain JSON Schema `enum`, which gives one clear error instead of one per value. */
export function oneOf<T extends string>(values: readonly T[], description?: string) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
}

const SAFE_NAME = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$';
const LABEL_NAME = '^[a-zA-Z_][a-zA-Z0-9_]*$';
const DURATION = '^(?=[0-9])([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$';
const CAMEL = '^[A-Z][A-Za-z0-9]*$';
const DEPENDENCY = '^(external:[a-z0-9][a-z0-9.-]*|[a-z][a-z0-9]*(-[a-z0-9]+)*)$';
const K8S_NAMESPACE = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const K8S_LABEL_KEY = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
const OWNED_VALUE = '^[A-Za-z0-9_:-]+$';
const K8S_LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';

/** The deployment forms a pack can be written in besides plain Prometheus rules (defaults.yaml `outputs`). */
export const OUTPUT_FORMS = ['grafana', 'kubernetes', 'mixin', 'mimir', 'thanos'] as const;
export type OutputForm = (typeof OUTPUT_FORMS)[number];
/** The forms that carry the dashboards every alert links to. */
export const DASHBOARD_FORMS: readonly OutputForm[] = ['grafana', 'kubernetes', 'mixin'];

/** Human wording for patterns, so an error says what a value must look like. */
export const PATTERN_HINTS: Record<string, string> = {
  [SAFE_NAME]: 'lower-case letters, digits and single dashes, starting with a letter (e.g. "web-api"); it becomes a label value, a file name and a URL anchor',
  [LABEL_NAME]: 'a Prometheus label name: letters, digits and underscores, not starting with a digit',
  [DURATION]: 'a Prometheus duration, units from the largest down, e.g. 5m, 1h30m, 30d',
  [CAMEL]: 'CamelCase letters and digits, starting with an upper-case letter',
  [DEPENDENCY]: 'a catalog service name (e.g. "postgres"), or external:NAME for one outside the catalog (e.g. "external:managed-redis")',
  [K8S_NAMESPACE]: 'a Kubernetes namespace: lower-case letters, digits and dashes, starting and ending with a letter or digit',
  [K8S_LABEL_KEY]: 'a Kubernetes label key such as release or example.com/team',
  [OWNED_VALUE]: 'letters, digits, _, : and - (a label value such as a feature category, e.g. source_code_management)',
  [K8S_LABEL_VALUE]: 'a Kubernetes label value: letters, digits, dashes, underscores and dots, starting and ending with a letter or digit, at most 63 characters',
};

const name = (description: string, maxLength = 30) =>
  Type.String({ pattern: SAFE_NAME, minLength: 1, maxLength, description });
const duration = (description: string) => Type.String({ pattern: DURATION, description });
const labelName = Type.String({ pattern: LABEL_NAME, description: 'A Prometheus label name.' });
const promql = (description: string) => Type.String({ minLength: 1, description });
const objective = Type.Number({
  exclusiveMinimum: 0,
  exclusiveMaximum: 100,
  description: 'Target share of good events, in percent (99.9 means 99.9%). Defaults from the tier.',
});
const minEvents = Type.Integer({
  minimum: 1,
  description: 'Fewest events in an alert\'s long window for a burn-rate alert to fire (low-traffic guard).',
});
const buckets = Type.Array(Type.Number(), {
  minItems: 1,
  description: 'Bucket boundaries (le) the histogram really has; thresholds are checked against them.',
});
/** Most selectors (or histograms) one combined SLI sums: each is a raw read per evaluation. */
export const MAX_COMBINED = 8;
/** One selector, or a list whose events are summed (a combined SLI: two metrics of failures, main and canary). */
const selectors = (description: string) =>
  Type.Union([promql(description), Type.Array(promql(description), { minItems: 1, maxItems: MAX_COMBINED })], {
    description: `${description} A list of selectors sums their events (at most ${MAX_COMBINED}; no series may match two of them).`,
  });
/** Histograms whose events an SLI sums, each with its own thresholds. */
const histogramList = (thresholds: Record<string, TSchema>, description: string) =>
  Type.Array(
    Type.Object({ histogram: promql('Histogram base name with optional matchers.'), ...thresholds, buckets: Type.Optional(buckets) }, { additionalProperties: false }),
    { minItems: 1, maxItems: MAX_COMBINED, description },
  );
const seconds = (description: string) => Type.Number({ exclusiveMinimum: 0, description });

const runbookSteps = Type.Object(
  {
    steps: Type.Optional(Type.Array(Type.String(), { description: 'Remediation steps, in order.' })),
    links: Type.Optional(
      Type.Array(Type.Object({ title: Type.String(), url: Type.String() }, { additionalProperties: false })),
    ),
    commands: Type.Optional(Type.Array(Type.String(), { description: 'Commands a responder may run.' })),
  },
  { additionalProperties: false, description: 'What the team wants a responder to do.' },
);

// An empty label value is no label at all in Prometheus, so a label needs text; an annotation may be empty.
const alertLabelMap = (description: string) =>
  Type.Record(Type.String({ pattern: LABEL_NAME, maxLength: 100 }), Type.String({ minLength: 1, maxLength: 1000 }), { description });
const alertAnnotationMap = (description: string) =>
  Type.Record(Type.String({ pattern: LABEL_NAME, maxLength: 100 }), Type.String({ maxLength: 1000 }), { description });
const alertExtras = (description: string) =>
  Type.Object(
    {
      labels: Type.Optional(alertLabelMap('Labels added to these alerts, e.g. for Alertmanager routes.')),
      annotations: Type.Optional(alertAnnotationMap('Annotations added to these alerts.')),
    },
    { additionalProperties: false, description },
  );

/** Extra labels and annotations on generated alerts; slokit's own (severity, team, summary, ...) cannot be replaced. */
const alertingExtras = {
  labels: Type.Optional(alertLabelMap('Labels added to every alert.')),
  annotations: Type.Optional(alertAnnotationMap('Annotations added to every alert.')),
  page: Type.Optional(alertExtras('Added to alerts with severity critical (they page where the tier pages).')),
  ticket: Type.Optional(alertExtras('Added to alerts with severity warning (tickets).')),
};
const alerting = Type.Object(alertingExtras, { additionalProperties: false, description: 'Extra labels and annotations on generated alerts (text, never templates).' });

/** An SLI's alerting: the service's extras, and switches for the alerts themselves. */
const sliAlerting = Type.Object(
  {
    ...alertingExtras,
    pages: Type.Optional(
      Type.Boolean({ description: "Whether this SLI's critical alerts page (default: as its service's tier says). false: tickets only, for an SLI no one should be woken for; true: pages even in a tier that does not." }),
    ),
    traffic_cessation: Type.Optional(
      Type.Boolean({ description: 'Whether this SLI has the traffic-cessation ticket (default true). false for bursty batch SLIs whose silence is normal; the vanished alert still watches its series.' }),
    ),
  },
  { additionalProperties: false, description: 'Extra labels and annotations on its alerts (text, never templates), and which alerts it has.' },
);

/** Fields every SLI has, whatever its kind. */
const sliCommon = {
  name: name('SLI name, unique within the service.'),
  for_each: Type.Optional(
    Type.Record(Type.String({ pattern: '^[a-z_][a-z0-9_]*$' }), Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }), { minItems: 1 }), {
      description: 'One SLI per value (per combination, with several placeholders): {KEY} in any text of the entry becomes the value, and the value is appended to the name (jobs -> jobs-catchall). At most 50 SLIs per entry.',
    }),
  ),
  description: Type.Optional(Type.String({ description: 'What the SLI measures, in one sentence.' })),
  component: Type.Optional(name('Component that serves the SLI (defaults to the service name).')),
  objective: Type.Optional(objective),
  group_by: Type.Optional(
    Type.Object(
      {
        labels: Type.Array(labelName, { minItems: 1, maxItems: 3, uniqueItems: true, description: 'Labels whose every value is an SLO of its own: its ratios, burn rates, budget and alerts.' }),
        max_values: Type.Integer({ minimum: 1, maximum: 1000, description: 'Most groups recorded in each environment and cluster: the busiest ones; the rest are not in the SLO. Required, so the series the SLI creates are bounded.' }),
      },
      { additionalProperties: false, description: "One SLO per value of these labels (Pyrra's grouping, Sloth's per-label SLOs): a per-route or per-shard objective." },
    ),
  ),
  report_objectives: Type.Optional(
    Type.Array(
      Type.Object(
        {
          name: name('Name of the objective set, e.g. sla; a label value of the series that report it.'),
          objective: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100, description: 'Target share of good events, in percent, over the same period.' }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 4, description: 'More objectives over the same events, reported and never alerted on: a contractual SLA beside the objective that pages. Each gets its budget left, on the dashboard too.' },
    ),
  ),
  period: Type.Optional(duration('SLO period for this SLI (defaults to the catalog period).')),
  alert_policy: Type.Optional(name('Alert policy for this SLI (a file in alerts/policies/ or the catalog\'s policies/).')),
  min_events: Type.Optional(minEvents),
  significant_labels: Type.Optional(
    Type.Array(labelName, { description: 'Labels worth drilling down by on dashboards and in runbooks.' }),
  ),
  user_facing: Type.Optional(Type.Boolean({ description: 'Whether users see failures of this SLI directly.' })),
  runbook: Type.Optional(runbookSteps),
  alerting: Type.Optional(sliAlerting),
  owners_by: Type.Optional(
    Type.Object(
      {
        label: Type.String({ pattern: LABEL_NAME, description: 'A group_by label whose values name owners, e.g. feature_category.' }),
        teams: Type.Record(Type.String({ pattern: SAFE_NAME }), Type.Array(Type.String({ pattern: OWNED_VALUE, minLength: 1 }), { minItems: 1, uniqueItems: true }), {
          description: 'Team (in teams.yaml) -> the label values it owns. Alerts of those groups route to that team; other values stay with the SLI\'s team.',
        }),
      },
      { additionalProperties: false, description: 'Owners read from a metric label (GitLab\'s feature categories): each group of a grouped SLI routes to the team that owns its value.' },
    ),
  ),
  team: Type.Optional(name("Team that owns this SLI when it is not the service's team (listed in teams.yaml): its alerts carry it and route to it, and its runbook sections and the UI name it.")),
  experimental: Type.Optional(
    Type.Boolean({ description: 'Recorded and drawn, never alerted on (default false): rules and dashboards to watch a new SLI before it may page anyone; no alert rules, no runbook alert sections.' }),
  ),
};

export const SLI_KINDS = ['error-ratio', 'latency', 'apdex', 'http', 'job', 'bool-gauge', 'raw'] as const;
export type SliKind = (typeof SLI_KINDS)[number];

const kind = (k: SliKind) => Type.Literal(k, { description: 'SLI kind.' });

export const SLI_SCHEMAS: Record<SliKind, TObject> = {
  'error-ratio': Type.Object(
    {
      kind: kind('error-ratio'),
      ...sliCommon,
      bad: Type.Optional(selectors('Series selector of failed events (a counter). Give bad or good.')),
      good: Type.Optional(selectors('Series selector of successful events (a counter). Give bad or good.')),
      total: selectors('Series selector of all events (a counter).'),
    },
    { additionalProperties: false, description: 'Errors over all events, from counters.' },
  ),
  latency: Type.Object(
    {
      kind: kind('latency'),
      ...sliCommon,
      histogram: Type.Optional(promql('Histogram base name with optional matchers, e.g. foo_duration_seconds{job="x"}. Give histogram with threshold, or histograms.')),
      threshold: Type.Optional(seconds('Seconds; an event slower than this is bad. Must be a bucket boundary.')),
      buckets: Type.Optional(buckets),
      histograms: Type.Optional(
        histogramList({ threshold: seconds('Seconds; an event of this histogram slower than this is bad.') }, 'Instead of histogram and threshold: several histograms whose events are summed, each with its own threshold.'),
      ),
    },
    { additionalProperties: false, description: 'Events slower than a threshold over all events, from a histogram (or several).' },
  ),
  apdex: Type.Object(
    {
      kind: kind('apdex'),
      ...sliCommon,
      histogram: Type.Optional(promql('Histogram base name with optional matchers. Give histogram with satisfied and tolerated, or histograms.')),
      satisfied: Type.Optional(seconds('Seconds; at most this is satisfied.')),
      tolerated: Type.Optional(seconds('Seconds; at most this is tolerated (counts half).')),
      buckets: Type.Optional(buckets),
      histograms: Type.Optional(
        histogramList(
          { satisfied: seconds('Seconds; at most this is satisfied.'), tolerated: seconds('Seconds; at most this is tolerated (counts half).') },
          'Instead of histogram, satisfied and tolerated: several histograms whose events are summed, each with its own thresholds.',
        ),
      ),
    },
    { additionalProperties: false, description: 'Apdex score: (satisfied + tolerated / 2) / all, from a histogram (or several).' },
  ),
  http: Type.Object(
    {
      kind: kind('http'),
      ...sliCommon,
      selector: promql('Label matchers on the standard HTTP server metric, e.g. job="my-service".'),
      measure: Type.Optional(
        oneOf(['availability', 'latency'] as const, 'availability: 5xx over all requests (default); latency: requests slower than threshold.'),
      ),
      threshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Seconds, for measure: latency.' })),
    },
    { additionalProperties: false, description: 'Standard HTTP SLI over the SDK\'s metric contract.' },
  ),
  job: Type.Object(
    {
      kind: kind('job'),
      ...sliCommon,
      selector: promql('Label matchers on the standard job metric, e.g. queue="default".'),
      measure: Type.Optional(
        oneOf(['success', 'latency'] as const, 'success: failed jobs over all jobs (default); latency: jobs slower than threshold.'),
      ),
      threshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Seconds, for measure: latency.' })),
    },
    { additionalProperties: false, description: 'Standard background-job SLI over the SDK\'s metric contract.' },
  ),
  'bool-gauge': Type.Object(
    {
      kind: kind('bool-gauge'),
      ...sliCommon,
      gauge: promql('Series selector of a gauge that is 1 when a probe or check succeeds and 0 when it fails, e.g. probe_success{job="blackbox"}. Each sample is an event.'),
    },
    { additionalProperties: false, description: 'Failed samples over all samples of a 0/1 gauge (probe success, up): Pyrra\'s bool_gauge.' },
  ),
  raw: Type.Object(
    {
      kind: kind('raw'),
      ...sliCommon,
      bad_rate: promql('PromQL for the per-second rate of bad events; write the range as [$window].'),
      total_rate: promql('PromQL for the per-second rate of all events; write the range as [$window].'),
      test_series: Type.Object(
        {
          bad: Type.Optional(promql('A series selector that, incremented, makes bad_rate grow (used by generated tests); with good or total.')),
          good: Type.Optional(promql('A series selector counting good events only (give good or total).')),
          total: Type.Optional(promql('A series selector counting all events, bad ones included (give good or total).')),
          histograms: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  histogram: promql('A histogram: its name without _bucket or _count, with matchers, e.g. http_request_duration_seconds{job="api"}.'),
                  le: Type.Array(Type.Number({ exclusiveMinimum: 0 }), { minItems: 1, maxItems: 10, description: 'The buckets (le, in seconds) bad_rate and total_rate read: good events fall within every one of them, bad events beyond all.' }),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 4, description: 'Instead of bad with good or total: histograms whose buckets and count the tests move together (a raw SLI over histograms).' },
            ),
          ),
        },
        { additionalProperties: false, description: 'Raw series that the generated promtool tests feed: counters (bad with good or total), or histograms.' },
      ),
    },
    { additionalProperties: false, description: 'Escape hatch: any numerator and denominator rate expressions.' },
  ),
};

/**
 * One SLI with several signals (GitLab's request rate, error rate and apdex): made, right after
 * parsing, into an error-ratio SLI NAME-errors and an apdex (or latency) SLI NAME-apdex that
 * share its other fields (generators/load/sli-signals.ts). Here for editors; the validator
 * checks the SLIs it makes.
 */
const { objective: _objective, ...sliCommonButObjective } = sliCommon;
export const SIGNALS_SCHEMA = Type.Object(
  {
    kind: Type.Literal('signals', { description: 'SLI kind: one entry, an errors SLI and an apdex (or latency) SLI.' }),
    ...sliCommonButObjective,
    requests: Type.Optional(selectors('Series selector of all requests (a counter): the request rate, and the total of errors.')),
    errors: Type.Optional(selectors('Series selector of failed requests (a counter): makes NAME-errors.')),
    apdex: Type.Optional(
      Type.Object(
        {
          histogram: Type.Optional(promql('Histogram base name with optional matchers.')),
          satisfied: Type.Optional(seconds('Seconds; at most this is satisfied.')),
          tolerated: Type.Optional(seconds('Seconds; at most this is tolerated (counts half).')),
          threshold: Type.Optional(seconds('Seconds, instead of satisfied and tolerated: a latency SLO (NAME-latency).')),
          buckets: Type.Optional(buckets),
          histograms: Type.Optional(
            Type.Array(
              Type.Object(
                { histogram: promql('Histogram base name with optional matchers.'), satisfied: Type.Optional(seconds('Seconds.')), tolerated: Type.Optional(seconds('Seconds.')), threshold: Type.Optional(seconds('Seconds.')), buckets: Type.Optional(buckets) },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: MAX_COMBINED },
            ),
          ),
        },
        { additionalProperties: false, description: 'The apdex (or, with threshold, latency) signal: makes NAME-apdex (or NAME-latency). It may read another metric than errors.' },
      ),
    ),
    objectives: Type.Optional(
      Type.Object({ errors: Type.Optional(objective), apdex: Type.Optional(objective) }, { additionalProperties: false, description: 'Objective of each SLI it makes, in percent; each defaults from the tier.' }),
    ),
  },
  { additionalProperties: false, description: 'One SLI, several signals: a request rate, an error rate over it and an apdex, as GitLab\'s metrics catalog declares them.' },
);

const ratio = (description: string) => Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description });

/**
 * How a resource's utilisation is measured: usage over capacity per instance, both read with
 * the service's selector. The same fields describe a bundled resource and a custom one.
 */
const resourceMeasure = {
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Short human name, e.g. "Node CPU".' })),
  description: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'What the resource is, in a sentence or two (shown in runbooks and dashboards).' })),
  source: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Exporter that exposes the series, e.g. node_exporter.' })),
  usage: Type.Optional(promql('Series selector of what is used (or free, with measures: free), e.g. process_open_fds.')),
  usage_type: Type.Optional(oneOf(['gauge', 'counter'] as const, 'gauge (default) or counter (its per-second rate is the usage, e.g. CPU seconds).')),
  measures: Type.Optional(oneOf(['used', 'free'] as const, 'used (default): utilisation = usage / capacity; free: utilisation = 1 - usage / capacity.')),
  capacity: Type.Optional(
    Type.Union([promql('Series selector of the capacity, e.g. process_max_fds.'), Type.Number({ exclusiveMinimum: 0 })], {
      description: 'Series selector of the capacity, or a fixed number in the usage\'s unit.',
    }),
  ),
  capacity_type: Type.Optional(oneOf(['gauge', 'counter', 'count'] as const, 'gauge (default); counter: its rate; count: the number of matching series (e.g. CPU cores).')),
  capacity_scale: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Multiplies the capacity, e.g. a target in seconds for a queue-latency resource.' })),
  by: Type.Optional(Type.Array(labelName, { minItems: 1, maxItems: 10, description: 'Labels that tell instances apart (e.g. [instance]); usage and capacity are summed by them, and the worst instance counts.' })),
  add_capacity: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Runbook steps: how to add capacity for this resource.' })),
};

/** Thresholds and timings; a service entry and a scale may override the resource's own. */
const resourceThresholds = {
  soft: Type.Optional(ratio('Utilisation above this, sustained, opens a ticket (0-1).')),
  hard: Type.Optional(ratio('Utilisation above this pages (0-1); the capacity forecast aims at it.')),
  forecast: Type.Optional(duration('Warn when last week\'s trend crosses the hard threshold within this horizon (default from defaults.yaml, 14d).')),
};

export const ResourceSchema = Type.Object(
  {
    name: name('Resource name; the file is <name>.yaml, and services name it in saturation:.'),
    ...resourceMeasure,
    ...resourceThresholds,
  },
  { additionalProperties: false, $id: 'resource.schema.json', title: 'slokit saturation resource' },
);

const saturationEntry = Type.Object(
  {
    resource: Type.Optional(name('A bundled resource (alerts/resources/) or one of the catalog\'s resources/.')),
    name: Type.Optional(name('Name of a custom resource (give usage and capacity too), or a second use of a bundled one.')),
    selector: Type.Optional(promql('Label matchers added to usage and capacity, e.g. job="gitaly" or instance=~"db-.*".')),
    ...resourceMeasure,
    ...resourceThresholds,
    runbook: Type.Optional(runbookSteps),
  },
  { additionalProperties: false, description: 'A saturation resource of this service: a bundled one by name, or a custom one.' },
);

const maturitySkips = Type.Object(
  {
    skip: Type.Record(Type.String({ pattern: SAFE_NAME }), Type.String({ maxLength: 1000 }), {
      description: 'Criteria of catalog/maturity.yaml this service does not have to meet, each with the reason (shown in the scorecard).',
    }),
  },
  { additionalProperties: false, description: 'Operational maturity scorecard settings.' },
);

export const ServiceSchema = Type.Object(
  {
    name: name('Service name: unique, used in labels, file names and URLs.'),
    description: Type.String({ minLength: 1, description: 'What the service does, in one sentence.' }),
    team: name('Owning team; must be listed in teams.yaml.'),
    tier: Type.Integer({ minimum: 1, maximum: 3, description: '1: user-facing, pages; 2: pages; 3: tickets only (see defaults.yaml).' }),
    component: Type.Optional(name('Default component for the service\'s SLIs.')),
    dependencies: Type.Optional(
      Type.Array(
        Type.Union([
          Type.String({ pattern: DEPENDENCY, minLength: 1, maxLength: 80, description: 'A catalog service this one needs, or external:NAME for one outside the catalog (a managed database).' }),
          Type.Object(
            {
              service: name('A catalog service this one needs.'),
              inhibit: Type.Optional(
                Type.Boolean({
                  description:
                    "Whether its pages hold back this service's SLO alerts at Alertmanager (default true). false: this service still pages while the dependency does, its alerts naming the dependency as the likely cause (for a dependency whose failure this service is expected to absorb).",
                }),
              ),
            },
            { additionalProperties: false },
          ),
        ]),
        { maxItems: 100, description: 'Services this one depends on.' },
      ),
    ),
    external_runbooks: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]*$', maxLength: 72 }), Type.String({ pattern: '^https?://[^\\s"\'<>]+$', maxLength: 1000 }), {
        description: 'A runbook or status page for an external:NAME dependency, by NAME; the service runbook links it.',
      }),
    ),
    alert_policy: Type.Optional(name('Alert policy for every SLI of this service.')),
    min_events: Type.Optional(minEvents),
    runbook: Type.Optional(runbookSteps),
    alerting: Type.Optional(alerting),
    version_metric: Type.Optional(
      Type.Object(
        {
          selector: promql('Series that carries the running version, e.g. gitlab_build_info{job="gitaly"}.'),
          label: Type.String({ pattern: LABEL_NAME, description: 'Label holding the version, e.g. version.' }),
        },
        { additionalProperties: false, description: 'Where the upgrade dashboard reads the running version (defaults to the SDK build info metric for services on the SDK).' },
      ),
    ),
    saturation: Type.Optional(Type.Array(saturationEntry, { maxItems: 50, description: 'Resources whose exhaustion hurts this service: CPU, memory, disk, connections, queues.' })),
    maturity: Type.Optional(maturitySkips),
    slis: Type.Array(Type.Union([...Object.values(SLI_SCHEMAS), SIGNALS_SCHEMA]), { minItems: 1, maxItems: 100, description: 'Service level indicators (at most 100: each one is a dashboard row, a runbook section and five alerts).' }),
  },
  { additionalProperties: false, $id: 'service.schema.json', title: 'slokit service' },
);

export const TeamSchema = Type.Object(
  {
    name: name('Team name.'),
    description: Type.Optional(Type.String()),
    chat: Type.String({ minLength: 1, description: 'Chat channel, e.g. #g_package.' }),
    pager: Type.String({ minLength: 1, description: 'Pager rotation or service that receives pages.' }),
    escalation: Type.Optional(Type.String({ description: 'Who to escalate to when the on-call cannot resolve.' })),
    issue_tracker: Type.String({ minLength: 1, description: 'Where tickets go (URL).' }),
  },
  { additionalProperties: false },
);

export const TeamsSchema = Type.Object(
  { teams: Type.Array(TeamSchema, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false, $id: 'teams.schema.json', title: 'slokit teams' },
);

const tierDefaults = Type.Object(
  {
    objective,
    page: Type.Boolean({ description: 'Whether critical burn-rate alerts page (otherwise they become tickets).' }),
  },
  { additionalProperties: false },
);

export const DefaultsSchema = Type.Object(
  {
    period: duration('SLO period, e.g. 30d or 28d.'),
    alert_policy: name('Default alert policy.'),
    alert_prefix: Type.String({ pattern: CAMEL, description: 'Common prefix of every alert name.' }),
    min_events: minEvents,
    urls: Type.Object(
      {
        runbooks: Type.String({ pattern: '^https?://[^\\s"\'<>{}]+$', description: 'Base URL where out/runbooks/ is published.' }),
        grafana: Type.String({ pattern: '^https?://[^\\s"\'<>{}]+$', description: 'Base URL of Grafana.' }),
      },
      { additionalProperties: false },
    ),
    alertmanager: Type.Optional(
      Type.Object(
        {
          receiver_url: Type.String({
            pattern: '^https?://[^\\s"\'<>]+$',
            description: 'Webhook URL of each team receiver; {team} and {kind} (page or ticket) are filled in.',
          }),
          group_wait: Type.Optional(duration('How long Alertmanager waits to group the first alerts (default 30s).')),
          group_interval: Type.Optional(duration('How long it waits before notifying about new alerts in a group (default 5m).')),
          repeat_interval: Type.Optional(duration('How long before it repeats a notification (default 4h).')),
          dependency_wait: Type.Optional(
            duration(
              "How long the first page of a service with catalog dependencies waits, so that a dependency's page arriving a little later still inhibits it (default: group_wait plus the longest fast evaluation interval).",
            ),
          ),
        },
        { additionalProperties: false, description: 'Generated Alertmanager routing.' },
      ),
    ),
    kubernetes: Type.Optional(
      Type.Object(
        {
          namespace: Type.Optional(Type.String({ pattern: K8S_NAMESPACE, maxLength: 63, description: 'Namespace of the generated PrometheusRules and ConfigMaps (default: none, so kubectl uses its current one).' })),
          rule_labels: Type.Optional(
            Type.Record(Type.String({ pattern: K8S_LABEL_KEY, maxLength: 253 }), Type.String({ pattern: K8S_LABEL_VALUE, maxLength: 63 }), {
              description: 'Labels on every PrometheusRule, for the Prometheus ruleSelector. kube-prometheus-stack selects release: <its Helm release name> (default release: kube-prometheus-stack).',
            }),
          ),
        },
        { additionalProperties: false, description: 'Kubernetes delivery: out/kubernetes/.' },
      ),
    ),
    outputs: Type.Optional(
      Type.Array(oneOf(OUTPUT_FORMS), {
        uniqueItems: true,
        minItems: 1,
        description:
          'Deployment forms to write besides prometheus/rules/ and its tests, runbooks/ and alertmanager/: grafana (grafana/: dashboards and their provisioning), kubernetes (kubernetes/: PrometheusRules and dashboard ConfigMaps), mixin (mixin/: a monitoring mixin), mimir and thanos (prometheus/rulers/: the local half for every Prometheus and the global half for that ruler). At least one of grafana, kubernetes and mixin: alerts link to the dashboards. Default: grafana, kubernetes and mixin (and mimir and thanos with rulers.split).',
      }),
    ),
    rulers: Type.Optional(
      Type.Object(
        {
          split: Type.Optional(
            Type.Boolean({
              description:
                'Also write out/prometheus/rulers/ for both Mimir and Thanos (what outputs: [..., mimir, thanos] says; not with outputs). Default false.',
            }),
          ),
        },
        { additionalProperties: false, description: 'Distributed rule evaluation, for when one Prometheus no longer sees everything.' },
      ),
    ),
    saturation: Type.Optional(
      Type.Object(
        {
          warn_after: Type.Optional(duration('How long utilisation stays above soft before the ticket (default 30m).')),
          page_after: Type.Optional(duration('How long utilisation stays above hard before the page (default 5m).')),
          forecast: Type.Optional(duration('Default forecast horizon (default 14d).')),
          forecast_lookback: Type.Optional(duration('Trend window of the forecast (default 1w).')),
        },
        { additionalProperties: false, description: 'Saturation alert timings.' },
      ),
    ),
    runbook_templates: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_.][A-Za-z0-9_./-]*$', description: 'Folder (relative to the catalog) whose handlebars files replace the bundled runbook templates of the same name.' }),
    ),
    labels: Type.Object(
      {
        environment: Type.Optional(labelName),
        cluster: Type.Optional(labelName),
        also: Type.Optional(
          Type.Array(labelName, {
            uniqueItems: true,
            maxItems: 4,
            description: 'More labels every SLI is aggregated by, after environment and cluster (a region, a stage, a shard): each value gets its own ratios, burn rates, budget and alerts, and the dashboards a variable.',
          }),
        ),
      },
      { additionalProperties: false, description: 'Label conventions: which labels carry environment and cluster, and what else SLIs are aggregated by.' },
    ),
    tiers: Type.Object(
      { '1': tierDefaults, '2': tierDefaults, '3': tierDefaults },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: 'defaults.schema.json', title: 'slokit catalog defaults' },
);

const burnWindow = Type.Object(
  {
    name: name('Row name; becomes part of the alert name (page-fast -> ErrorBudgetBurnPageFast).'),
    severity: oneOf(['critical', 'warning'] as const, 'critical pages (where the tier pages), warning opens a ticket.'),
    budget_spent: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Share of the period\'s budget spent when it fires (0.02 = 2%).' }),
    long: duration('Long window.'),
    short: duration('Short window (should be about 1/12 of the long one).'),
  },
  { additionalProperties: false },
);

export const PolicySchema = Type.Object(
  {
    name: name('Policy name; the file is <name>.yaml.'),
    description: Type.Optional(Type.String()),
    evaluation: Type.Object(
      {
        raw_window: duration('The one window read from raw series.'),
        fast_interval: duration('Evaluation interval of short-window rules and page alerts.'),
        slow_interval: duration('Evaluation interval of long-window rules and ticket alerts.'),
        fast_windows_up_to: duration('Windows up to this are derived at fast_interval; longer ones are tiled at slow_interval.'),
      },
      { additionalProperties: false },
    ),
    windows: Type.Array(burnWindow, { minItems: 1 }),
    traffic_cessation: Type.Object(
      {
        silence: duration('How long an SLI must see no events.'),
        baseline: duration('Window whose average rate says how many events were expected.'),
        min_expected_events: Type.Integer({ minimum: 1, description: 'Fire only when the baseline predicts at least this many events in the silence window.' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: 'policy.schema.json', title: 'slokit alert policy' },
);

const scaleService = Type.Object(
  {
    requests_per_second: Type.Optional(Type.Number({ minimum: 0, description: 'Expected peak request (event) rate of the service at this size: the event rate of its busiest SLI.' })),
    saturation: Type.Optional(
      Type.Record(
        Type.String({ pattern: SAFE_NAME }),
        Type.Object(
          {
            ...resourceThresholds,
            expected: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Utilisation the reference architecture expects at peak (0-1).' })),
          },
          { additionalProperties: false },
        ),
        { description: 'Per resource (by its name in the service): thresholds and expected peak utilisation at this size.' },
      ),
    ),
    slis: Type.Optional(
      Type.Record(Type.String({ pattern: SAFE_NAME }), Type.Object({ objective: Type.Optional(objective) }, { additionalProperties: false }), {
        description: 'Per SLI: the objective at this size, where it differs.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ScaleSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 30, description: 'Scale name, e.g. 10k; the file is <name>.yaml and slokit generate --scale takes it.' }),
    description: Type.String({ minLength: 1, description: 'The reference architecture, in a sentence.' }),
    users: Type.Integer({ minimum: 1, description: 'Users the size is built for.' }),
    services: Type.Record(Type.String({ pattern: SAFE_NAME }), scaleService, { description: 'Per service: expected load and the thresholds and objectives that differ at this size.' }),
  },
  { additionalProperties: false, $id: 'scale.schema.json', title: 'slokit deployment scale' },
);

export const MATURITY_CRITERIA = ['owner', 'escalation', 'objectives', 'availability-and-latency', 'runbook-steps', 'saturation', 'dependencies', 'sdk', 'alert-tests', 'dashboards-linked'] as const;
export type MaturityCriterion = (typeof MATURITY_CRITERIA)[number];

export const MaturitySchema = Type.Object(
  {
    levels: Type.Array(
      Type.Object(
        {
          level: Type.Integer({ minimum: 1, maximum: 10, description: 'Level number; levels are cumulative.' }),
          name: Type.String({ minLength: 1, maxLength: 50 }),
          description: Type.Optional(Type.String()),
          criteria: Type.Array(oneOf(MATURITY_CRITERIA, 'A criterion slokit can check from the catalog and the generated pack.'), { minItems: 1 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10 },
    ),
  },
  { additionalProperties: false, $id: 'maturity.schema.json', title: 'slokit operational maturity levels' },
);

/** How a journey weighs its components (see model/journeys.ts). */
export const JOURNEY_WEIGHTINGS = ['events', 'components'] as const;
export type JourneyWeighting = (typeof JOURNEY_WEIGHTINGS)[number];

const journeyComponent = Type.Object(
  {
    service: Type.Optional(name('Catalog service of the SLI this step of the journey is measured by.')),
    sli: Type.Optional(name('The SLI of that service.', 60)),
    journey: Type.Optional(name('Another journey this one contains, instead of service and sli.')),
    weight: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1_000_000,
        description: 'Weight of the component (default 1; OpenSLO compositeWeight). events weighting: each of its events counts this many times; components weighting: its share of the journey is weight / sum of weights.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const JourneySchema = Type.Object(
  {
    name: name('Journey name: unique; the journey label, and the file is journeys/<name>.yaml.'),
    description: Type.String({ minLength: 1, maxLength: 500, description: 'What the user does, in one sentence (e.g. "A developer pushes commits over HTTPS").' }),
    team: name('Team that owns the journey SLO; must be listed in teams.yaml. Its alerts route to this team.'),
    objective: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100, description: 'Target share of good events of the journey, in percent.' }),
    period: Type.Optional(duration('SLO period; defaults to the catalog period, and must be every component\'s.')),
    alert_policy: Type.Optional(name('Alert policy whose windows the journey records (default: the catalog\'s); each component must record them too.')),
    weighting: Type.Optional(
      oneOf(
        JOURNEY_WEIGHTINGS,
        'events (default): bad events over all events of every component, each scaled by its weight (OpenSLO compositeWeight, Occurrences): busy components weigh more. components: the weighted mean of the components\' error ratios: each weighs its weight, whatever its traffic.',
      ),
    ),
    components: Type.Array(journeyComponent, { minItems: 2, maxItems: 20, description: 'The SLIs (service and sli) or journeys the journey crosses.' }),
    alerting: Type.Optional(
      Type.Object(
        {
          burn_alerts: Type.Optional(Type.Boolean({ description: 'Burn-rate alerts on the journey itself, one per policy row (default false: recorded, drawn and reported only).' })),
          pages: Type.Optional(Type.Boolean({ description: 'Whether its critical rows page (default false: every row is a ticket; the components page on their own).' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, $id: 'journey.schema.json', title: 'slokit user journey' },
);

export const CATALOG_SCHEMAS: Record<string, TSchema> = {
  'journey.schema.json': JourneySchema,
  'service.schema.json': ServiceSchema,
  'teams.schema.json': TeamsSchema,
  'defaults.schema.json': DefaultsSchema,
  'policy.schema.json': PolicySchema,
  'resource.schema.json': ResourceSchema,
  'scale.schema.json': ScaleSchema,
  'maturity.schema.json': MaturitySchema,
};
