/**
 * The model: plain, normalized data with every default applied. Generators are pure
 * functions of it.
 */
import type { Duration } from './duration.js';
import type { SaturationSettings } from './saturation.js';
import type { JourneyWeighting, MaturityCriterion, OutputForm, SliKind } from '../schema/catalog-schema.js';

export interface Team {
  readonly name: string;
  readonly description: string;
  readonly chat: string;
  readonly pager: string;
  readonly escalation: string;
  /** Whether teams.yaml names an escalation (otherwise it falls back to the pager). */
  readonly escalationDeclared: boolean;
  readonly issueTracker: string;
}

export interface RunbookSteps {
  readonly steps: readonly string[];
  readonly links: readonly { readonly title: string; readonly url: string }[];
  readonly commands: readonly string[];
}

export type Severity = 'critical' | 'warning';

/** Labels and annotations added to alerts: on all of an SLI's alerts, on pages, on tickets. */
export interface AlertExtras {
  readonly all: { readonly labels: Readonly<Record<string, string>>; readonly annotations: Readonly<Record<string, string>> };
  readonly page: { readonly labels: Readonly<Record<string, string>>; readonly annotations: Readonly<Record<string, string>> };
  readonly ticket: { readonly labels: Readonly<Record<string, string>>; readonly annotations: Readonly<Record<string, string>> };
}

/** One row of an alert policy, with its numbers worked out for one SLI. */
export interface BurnAlert {
  /** Row name from the policy, e.g. "page-fast". */
  readonly name: string;
  /** Severity as declared by the policy. */
  readonly declaredSeverity: Severity;
  /** Severity after the tier: a critical row of a tier that does not page becomes a warning. */
  readonly severity: Severity;
  readonly budgetSpent: number;
  readonly long: Duration;
  readonly short: Duration;
  /** Burn-rate factor: budgetSpent × period / long. */
  readonly factor: number;
  /** Error-ratio threshold: factor × error budget. */
  readonly threshold: number;
}

export interface Evaluation {
  readonly rawWindow: Duration;
  readonly fastInterval: Duration;
  readonly slowInterval: Duration;
  readonly fastWindowsUpTo: Duration;
}

export interface TrafficCessation {
  readonly silence: Duration;
  readonly baseline: Duration;
  readonly minExpectedEvents: number;
}

export interface AlertPolicy {
  readonly name: string;
  readonly evaluation: Evaluation;
  readonly windows: readonly {
    readonly name: string;
    readonly severity: Severity;
    readonly budgetSpent: number;
    readonly long: Duration;
    readonly short: Duration;
  }[];
  readonly trafficCessation: TrafficCessation;
}

/** A Prometheus series selector split into parts we can rebuild safely. */
export interface Selector {
  readonly metric: string;
  readonly matchers: readonly Matcher[];
}

export interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** What the generated tests feed a raw SLI: counters of bad and good (or all) events, or histograms. */
export type RawTestSeries =
  | { readonly bad: Selector; readonly good?: Selector; readonly total?: Selector; readonly histograms?: undefined }
  | { readonly histograms: readonly { readonly histogram: Selector; readonly le: readonly number[] }[]; readonly bad?: undefined; readonly good?: undefined; readonly total?: undefined };

/** One histogram of a latency or apdex SLI, with its own threshold(s). */
export interface HistogramPart {
  readonly histogram: Selector;
  readonly satisfied: number;
  /** Present for apdex only. */
  readonly tolerated?: number;
}

/**
 * Where an SLI's events come from. Every kind reduces to counters of bad and total events,
 * which is what keeps the SLO math one piece of code. A combined SLI lists several selectors
 * (or histograms) where others have one: its events are their sum.
 */
export type EventSource =
  /** bad/total (or good/total) counters, each the sum over its selectors. */
  | { readonly type: 'counters'; readonly bad?: readonly Selector[]; readonly good?: readonly Selector[]; readonly total: readonly Selector[] }
  /** Histograms and threshold(s): good = bucket{le=threshold}, summed over the parts; apdex counts tolerated as half. */
  | { readonly type: 'histogram'; readonly parts: readonly HistogramPart[] }
  /** A 0/1 gauge (probe success, up): each sample is an event, a sample at 0 a bad one. */
  | { readonly type: 'gauge'; readonly gauge: Selector }
  /** Escape hatch: rate expressions given by the team, with `$window` for the range. */
  | {
      readonly type: 'raw';
      readonly badRate: string;
      readonly totalRate: string;
      readonly testSeries: RawTestSeries;
    };

/** What an SLO aims at and how its burn is alerted on: an SLI's and a journey's alike. */
export interface SloTarget {
  /** Objective as a ratio, e.g. 0.999. */
  readonly objective: number;
  /** 1 − objective. */
  readonly errorBudget: number;
  readonly period: Duration;
  readonly policyName: string;
  readonly evaluation: Evaluation;
  /** The policy's rows with their numbers worked out for this objective and period. */
  readonly alerts: readonly BurnAlert[];
}

export interface Sli extends SloTarget {
  readonly name: string;
  readonly description: string;
  readonly kind: SliKind;
  readonly component: string;
  readonly trafficCessation: TrafficCessation;
  readonly minEvents: number;
  readonly significantLabels: readonly string[];
  readonly userFacing: boolean;
  readonly events: EventSource;
  readonly runbook: RunbookSteps;
  readonly alerting: AlertExtras;
  /** Who owns it: the service's team unless the SLI names its own. Its alerts carry and route to this team. */
  readonly team: Team;
  /** Whether its critical rows page: the SLI's own `alerting.pages`, else its service tier's. */
  readonly pages: boolean;
  /** Whether it has the traffic-cessation ticket (`alerting.traffic_cessation`). */
  readonly cessationAlert: boolean;
  /** Recorded and drawn, never alerted on: no alert rules at all. */
  readonly experimental: boolean;
  /**
   * Owners read from a group_by label's values (feature categories): the groups of each team's
   * values route to it; other values stay with `team`.
   */
  readonly ownersBy: { readonly label: string; readonly owners: readonly { readonly team: Team; readonly values: readonly string[] }[] } | undefined;
  /** One SLO per value of these labels, at most `maxValues` groups (the busiest) in each place. */
  readonly groupBy: { readonly labels: readonly string[]; readonly maxValues: number } | undefined;
  /** Objectives over the same events that are reported, never alerted on (an SLA beside the objective that pages). */
  readonly reportObjectives: readonly ReportObjective[];
}

export interface ReportObjective {
  readonly name: string;
  /** As a ratio, e.g. 0.995. */
  readonly objective: number;
  readonly errorBudget: number;
}

/** How a resource's capacity is read: a fixed number, or series (their sum, rate, or count). */
export type Capacity =
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'gauge' | 'counter' | 'count'; readonly selector: Selector };

/**
 * A saturation resource of one service, every default and scale override applied:
 * utilisation = usage / (capacity × scale) per instance (1 − that for free usage), worst
 * instance, clamped to 0–1.
 */
export interface SaturationResource {
  /** Unique within the service; the `resource` label. */
  readonly name: string;
  /** The bundled or catalog resource it is an instance of, when it is one. */
  readonly library: string | undefined;
  readonly title: string;
  readonly description: string;
  readonly source: string;
  readonly usage: Selector;
  readonly usageType: 'gauge' | 'counter';
  readonly measures: 'used' | 'free';
  readonly capacity: Capacity;
  readonly capacityScale: number;
  /** Labels that tell instances apart. */
  readonly by: readonly string[];
  readonly soft: number;
  readonly hard: number;
  /** Window of rate() for counter usage or capacity. */
  readonly rateWindow: Duration;
  readonly warnAfter: Duration;
  readonly pageAfter: Duration;
  readonly forecast: Duration;
  readonly forecastLookback: Duration;
  readonly evaluation: Evaluation;
  readonly addCapacity: readonly string[];
  readonly runbook: RunbookSteps;
}

export interface Service {
  readonly name: string;
  readonly description: string;
  readonly team: Team;
  readonly tier: 1 | 2 | 3;
  readonly pages: boolean;
  readonly dependencies: readonly string[];
  /**
   * The dependencies whose pages hold back this service's SLO alerts at Alertmanager (all but
   * those declared `inhibit: false`, whose pages leave its alerts to page, naming the cause).
   */
  readonly heldBackBy: readonly string[];
  /** Dependencies outside the catalog (`external:NAME`), by NAME: no rules, runbooks or dashboards of their own. */
  readonly externalDependencies: readonly string[];
  /** A runbook or status page per external dependency, where the catalog gives one. */
  readonly externalRunbooks: Readonly<Record<string, string>>;
  readonly slis: readonly Sli[];
  readonly runbook: RunbookSteps;
  /** Series and label that say which version runs, when known. */
  readonly versionMetric: { readonly selector: Selector; readonly label: string } | undefined;
  readonly saturation: readonly SaturationResource[];
  /** The service's own alert labels and annotations (its SLIs' add to these), for saturation alerts. */
  readonly alerting: AlertExtras;
  /** Maturity criteria this service skips, with the team's reason. */
  readonly maturitySkips: Readonly<Record<string, string>>;
  /** What the catalog said itself (not a default), for the maturity scorecard. */
  readonly declared: {
    readonly dependencies: boolean;
    readonly escalation: boolean;
    /** SLI names whose objective is written in the catalog (or set by the scale). */
    readonly objectives: readonly string[];
  };
  /** Catalog file it came from (for messages and the runbook's "edit this" link). */
  readonly file: string;
}

/** A reference architecture: a named size with its expected load and overrides. */
export interface Scale {
  readonly name: string;
  readonly description: string;
  readonly users: number;
  readonly services: Readonly<
    Record<
      string,
      {
        readonly requestsPerSecond: number | undefined;
        /** Expected peak utilisation per resource name. */
        readonly expected: Readonly<Record<string, number>>;
      }
    >
  >;
}

export interface MaturityLevel {
  readonly level: number;
  readonly name: string;
  readonly description: string;
  readonly criteria: readonly MaturityCriterion[];
}

export interface CatalogSettings {
  readonly period: Duration;
  readonly alertPrefix: string;
  readonly runbookBaseUrl: string;
  readonly grafanaBaseUrl: string;
  /** Labels SLIs are aggregated by (environment, cluster, then the extra ones), in that order, when declared. */
  readonly aggregationLabels: readonly string[];
  readonly environmentLabel: string | undefined;
  readonly clusterLabel: string | undefined;
  /** Labels SLIs are aggregated by besides environment and cluster (`labels.also`), in order. */
  readonly extraAggregationLabels: readonly string[];
  readonly alertmanager: {
    readonly receiverUrl: string;
    readonly groupWait: string;
    readonly groupInterval: string;
    readonly repeatInterval: string;
    /**
     * How long a page of a service with catalog dependencies waits at Alertmanager before it is
     * sent, so a dependency's page that arrives a little later can still inhibit it. Unset:
     * group_wait plus the slowest fast evaluation interval (see emit/alertmanager/inhibition.ts).
     */
    readonly dependencyWait: string | undefined;
  };
  readonly kubernetes: {
    readonly namespace: string | undefined;
    /** Labels the Prometheus Operator's ruleSelector matches on. */
    readonly ruleLabels: Readonly<Record<string, string>>;
  };
  /** Deployment forms written besides prometheus/rules/, runbooks/ and alertmanager/, in OUTPUT_FORMS order. */
  readonly outputs: readonly OutputForm[];
  readonly saturation: SaturationSettings;
  /** Absolute folder of the catalog's own runbook templates, when it has one. */
  readonly runbookTemplateDir: string | undefined;
}

/** A step of a user journey: an SLI of a catalog service, or another journey. */
export type JourneyComponent =
  | { readonly type: 'sli'; readonly service: string; readonly sli: string; readonly weight: number }
  | { readonly type: 'journey'; readonly journey: string; readonly weight: number };

/**
 * What a user experiences across services ("git push over HTTPS"): an SLO over the SLIs (or
 * journeys) it crosses, recorded from their recorded rates (see emit/journeys/rules.ts).
 */
export interface Journey extends SloTarget {
  readonly name: string;
  readonly description: string;
  readonly team: Team;
  /** `alerts` are alerted on only with `burnAlerts`. */
  readonly weighting: JourneyWeighting;
  readonly components: readonly JourneyComponent[];
  readonly burnAlerts: boolean;
  readonly pages: boolean;
  /** Fewest (weighted) events in an alert's long window for an events-weighted journey's burn alert to fire. */
  readonly minEvents: number;
  /** Catalog file it came from. */
  readonly file: string;
}

export interface Model {
  readonly settings: CatalogSettings;
  readonly teams: readonly Team[];
  /** Sorted by name. */
  readonly services: readonly Service[];
  /** Every scale of the catalog, sorted by users. */
  readonly scales: readonly Scale[];
  /** The scale this model was built for (its thresholds and objectives applied), if any. */
  readonly scale: Scale | undefined;
  /** Levels from catalog/maturity.yaml (sorted), or none. */
  readonly maturity: readonly MaturityLevel[];
  /** User journeys, each after every journey it contains (then by name). */
  readonly journeys: readonly Journey[];
}
