/**
 * Every name and URL the pack uses, in one place: recorded series, rule groups, alert names,
 * runbook anchors, dashboard uids and the URLs that join them. Other modules never spell
 * these out themselves, so an alert's runbook_url and the runbook's heading cannot drift.
 */
import type { BurnAlert, CatalogSettings, SaturationResource, Service, Sli } from './model/types.js';
import type { Duration } from './model/duration.js';

/** Labels every recorded SLI series carries (plus the catalog's aggregation labels). */
export const SLI_LABELS = { service: 'service', sli: 'sli', component: 'component' } as const;

/** Recorded series. `level:metric:operations`, aggregated to one series per SLI. */
export const series = {
  badRate: (w: Duration) => `sli:events_bad:rate${w.text}`,
  totalRate: (w: Duration) => `sli:events_total:rate${w.text}`,
  errorRatio: (w: Duration) => `sli:error:ratio_rate${w.text}`,
  serviceBadRate: (w: Duration) => `service:events_bad:rate${w.text}`,
  serviceTotalRate: (w: Duration) => `service:events_total:rate${w.text}`,
  serviceErrorRatio: (w: Duration) => `service:error:ratio_rate${w.text}`,
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  burnRate: (w: Duration) => `slo:burn_rate:rate${w.text}`,
  budgetRemaining: 'slo:error_budget_remaining:ratio',
  /** A report objective (REPORT_OBJECTIVE_LABEL names it) and the budget left against it. */
  reportObjective: 'slo:report_objective:ratio',
  reportBudgetRemaining: 'slo:report_error_budget_remaining:ratio',
  /** Utilisation of a saturation resource, 0–1, its worst instance. */
  saturation: 'saturation:utilisation:ratio',
  /** Instances of a service running each version (VERSION_LABEL), from its version metric. */
  versionInstances: 'service:version_instances:count',
} as const;

/** The label every recorded journey series and journey alert carries the journey's name in. */
export const JOURNEY_LABEL = 'journey';

/** Recorded journey series (see emit/journeys/rules.ts), one per journey (and aggregation labels). */
export const journeySeries = {
  /** Events-weighted journeys: weighted bad and all events per second over the window. */
  badRate: (w: Duration) => `journey:events_bad:rate${w.text}`,
  totalRate: (w: Duration) => `journey:events_total:rate${w.text}`,
  errorRatio: (w: Duration) => `journey:error:ratio_rate${w.text}`,
  objective: 'journey:objective:ratio',
  budgetRemaining: 'journey:error_budget_remaining:ratio',
  /** One series per component (service and sli, or COMPONENT_JOURNEY_LABEL): its weight; dashboards join on it. */
  componentWeight: 'journey:component:weight',
} as const;

/** The label a journey's component-weight series names a contained journey in. */
export const COMPONENT_JOURNEY_LABEL = 'component_journey';

/** The label the report-objective series name their objective set in. */
export const REPORT_OBJECTIVE_LABEL = 'objective_name';

/** The label the recorded version series carries the version in, whatever the service's version metric calls it. */
export const VERSION_LABEL = 'version';

/** Labels of the recorded saturation series (plus the catalog's aggregation labels). */
export const SATURATION_LABELS = { service: 'service', resource: 'resource' } as const;

/**
 * What each Prometheus records from its own raw series when rules are split between it and a
 * global ruler, which sums these over every Prometheus into the `series` names above. A
 * different name, so the global store never holds a partial sum under the name of the whole.
 */
export const localSeries = {
  badRate: (w: Duration) => `sli_local:events_bad:rate${w.text}`,
  totalRate: (w: Duration) => `sli_local:events_total:rate${w.text}`,
  versionInstances: 'service_local:version_instances:count',
} as const;

/** The window dashboards call "current"; every SLI records it (and its burn rate) whatever its policy. */
export const CURRENT_WINDOW: Duration = { text: '1h', seconds: 3600 };

export type RuleFamily = 'fast' | 'slow' | 'slo' | 'local' | 'saturation';

/** Rule groups of the journeys (one file for all of them: a journey reads several services). */
export function journeyGroupName(family: 'fast' | 'slow', chunk: number): string {
  return `slokit:journeys:${family}${chunk > 0 ? `:${chunk + 1}` : ''}`;
}

export function groupName(service: Service, family: RuleFamily | 'service', chunk: number): string {
  return `slokit:${service.name}:${family}${chunk > 0 ? `:${chunk + 1}` : ''}`;
}

function camel(kebab: string): string {
  return kebab
    .split('-')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** The label that names a burn alert's policy row (fast, moderate, slow, gradual): what routing and inhibition match. */
export const BURN_TIER_LABEL = 'burn_tier';

export const alertNames = {
  /** Every burn alert's name starts with this (the low-traffic ticket's too). */
  burnPrefix: (settings: CatalogSettings) => `${settings.alertPrefix}ErrorBudgetBurn`,
  /** Every alert about the error budget starts with this: burns, low traffic, exhausted. */
  errorBudgetPrefix: (settings: CatalogSettings) => `${settings.alertPrefix}ErrorBudget`,
  burn: (settings: CatalogSettings, alert: Pick<BurnAlert, 'name'>) => `${alertNames.burnPrefix(settings)}${camel(alert.name)}`,
  trafficCessation: (settings: CatalogSettings) => `${settings.alertPrefix}TrafficCessation`,
  vanished: (settings: CatalogSettings) => `${settings.alertPrefix}SLIVanished`,
  budgetExhausted: (settings: CatalogSettings) => `${settings.alertPrefix}ErrorBudgetExhausted`,
  journeyBurn: (settings: CatalogSettings, alert: Pick<BurnAlert, 'name'>) => `${settings.alertPrefix}JourneyErrorBudgetBurn${camel(alert.name)}`,
  lowTraffic: (settings: CatalogSettings) => `${settings.alertPrefix}ErrorBudgetBurnLowTraffic`,
  saturation: (settings: CatalogSettings, level: SaturationLevel) => `${settings.alertPrefix}${SATURATION_ALERT_SUFFIX[level]}`,
};

export type SaturationLevel = 'high' | 'critical' | 'forecast';
const SATURATION_ALERT_SUFFIX: Record<SaturationLevel, string> = { high: 'SaturationHigh', critical: 'SaturationCritical', forecast: 'CapacityForecast' };

/** Heading anchors in out/runbooks/<service>.md; GitHub/GitLab-style slugs of the heading text. */
export const runbookAnchors = {
  burn: (sli: Sli, alert: Pick<BurnAlert, 'name'>) => `${sli.name}-burn-${alert.name}`,
  trafficCessation: (sli: Sli) => `${sli.name}-traffic-cessation`,
  vanished: (sli: Sli) => `${sli.name}-vanished`,
  budgetExhausted: (sli: Sli) => `${sli.name}-budget-exhausted`,
  lowTraffic: (sli: Sli) => `${sli.name}-low-traffic`,
  /** The SLI's own section (heading `NAME: where it fails`), which every alert section of it links to. */
  whereItFails: (sli: Pick<Sli, 'name'>) => `${sli.name}-where-it-fails`,
  saturation: (resource: Pick<SaturationResource, 'name'>, level: SaturationLevel) => `saturation-${resource.name}-${level}`,
};

export function runbookFile(service: Pick<Service, 'name'>): string {
  return `${service.name}.md`;
}

export function runbookUrl(settings: CatalogSettings, service: Pick<Service, 'name'>, anchor: string): string {
  return `${runbookFileUrl(settings, service)}#${anchor}`;
}

/** Grafana uids are at most 40 characters; service names are at most 30. */
export function dashboardUid(service: Pick<Service, 'name'>): string {
  return `slokit-${service.name}`;
}

export interface DashboardLink {
  /** Time range start, e.g. "now-6h". */
  readonly from: string;
  readonly sli?: string;
  readonly journey?: string;
  /** Variables whose values are an alert's labels. */
  readonly templatedVars?: readonly { readonly name: string; readonly labelName: string }[];
  /** How a label's value is written into the URL: by default Prometheus' template, `{{ $labels.NAME | urlquery }}`. */
  readonly labelValue?: (labelName: string) => string;
}

/**
 * The dashboard URL for an alert annotation (of a service, or `journeys`). Label-valued
 * variables are filled in by Prometheus' template engine with urlquery, so a label value
 * cannot break the URL.
 */
export function dashboardUrl(settings: CatalogSettings, service: Pick<Service, 'name'>, link: DashboardLink): string {
  const params = [`from=${link.from}`, 'to=now'];
  if (link.sli) params.push(`var-sli=${encodeURIComponent(link.sli)}`);
  if (link.journey) params.push(`var-journey=${encodeURIComponent(link.journey)}`);
  const value = link.labelValue ?? ((labelName: string) => `{{ $labels.${labelName} | urlquery }}`);
  for (const v of link.templatedVars ?? []) params.push(`var-${v.name}=${value(v.labelName)}`);
  return `${grafanaUrl(settings, `/d/${dashboardUid(service)}/${service.name}`)}?${params.join('&')}`;
}

/** Variables every dashboard may have besides one per extra aggregation label (named after its label). */
export const RESERVED_VARIABLES = ['datasource', 'environment', 'cluster', 'sli', 'service', 'journey'] as const;

/** Dashboard variables that mirror the catalog's label conventions: environment, cluster, then each extra aggregation label. */
export function dashboardLabelVars(settings: CatalogSettings): { name: string; label: string; labelName: string }[] {
  const vars: { name: string; label: string; labelName: string }[] = [];
  if (settings.environmentLabel) vars.push({ name: 'environment', label: 'Environment', labelName: settings.environmentLabel });
  if (settings.clusterLabel) vars.push({ name: 'cluster', label: 'Cluster', labelName: settings.clusterLabel });
  for (const l of settings.extraAggregationLabels) vars.push({ name: l, label: l, labelName: l });
  return vars;
}

/** File names the platform dashboards use; no service may take them. */
/** Names of the platform dashboards, and device names Windows will not create as files (a pack checked out there). */
export const RESERVED_SERVICE_NAMES = [
  'slo-overview', 'upgrades', 'journeys',
  'con', 'prn', 'aux', 'nul', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((i) => [`com${i}`, `lpt${i}`]),
] as const;

export const dashboardPaths = {
  dashboard: (file: string) => `grafana/dashboards/${file}`,
  provisioning: 'grafana/provisioning/dashboards.yaml',
  configMap: (file: string) => `kubernetes/dashboards/${file.replace(/\.json$/, '')}.yaml`,
};

export const kubernetesPaths = {
  prometheusRule: (service: Pick<Service, 'name'>) => `kubernetes/prometheusrules/${service.name}.yaml`,
  kustomization: 'kubernetes/kustomization.yaml',
};

export const rulerPaths = {
  local: (service: Pick<Service, 'name'>) => `prometheus/rulers/local/${service.name}.yml`,
  mimir: (service: Pick<Service, 'name'>) => `prometheus/rulers/mimir/${service.name}.yml`,
  thanos: (service: Pick<Service, 'name'>) => `prometheus/rulers/thanos/${service.name}.yml`,
};

export const mixinPaths = {
  dir: 'mixin',
  main: 'mixin/mixin.libsonnet',
  config: 'mixin/config.libsonnet',
  rules: (service: string) => `mixin/rules/${service}.json`,
  dashboard: (file: string) => `mixin/dashboards/${file}`,
};

export const alertmanagerPaths = {
  config: 'alertmanager/alertmanager.yml',
  routeTests: 'alertmanager/routes.test.yml',
  inhibitionTests: 'alertmanager/inhibitions.test.yml',
};

export const runbookPaths = {
  file: (file: string) => `runbooks/${file}`,
};

/** Where the journeys' files go: beside the services' (no service may be called "journeys"). */
export const journeyPaths = {
  name: 'journeys',
  rules: 'prometheus/rules/journeys.yml',
  tests: 'prometheus/tests/journeys.test.yml',
  runbook: 'journeys.md',
  dashboard: 'journeys.json',
  dashboardUid: 'slokit-journeys',
  anchor: (journey: { readonly name: string }) => `journey-${journey.name}`,
  burnAnchor: (journey: { readonly name: string }, alert: Pick<BurnAlert, 'name'>) => `journey-${journey.name}-burn-${alert.name}`,
};

export const outputPaths = {
  rules: (service: Pick<Service, 'name'>) => `prometheus/rules/${service.name}.yml`,
  /** An SLI's own tests; `slokit test` puts its slice of the rule file next to it. */
  sliTests: (service: Pick<Service, 'name'>, sli: Pick<Sli, 'name'>) => `prometheus/tests/slis/${service.name}/${sli.name}.test.yml`,
  /** The files of a rule shape: canonical rules and the full scenario suite. */
  shapeFile: (id: string, name: string) => `prometheus/tests/shapes/${id}/${name}`,
  /** The files of a window suite: the derived windows up to a day, shared by shapes, and their test. */
  windowFile: (id: string, name: string) => `prometheus/tests/windows/${id}/${name}`,
  /** Which shape each SLI has, and what tells its rules apart from the shape's. */
  testIndex: 'prometheus/tests/index.json',
  /** Saturation tests run at a coarser step than the SLO tests (a forecast needs days of data); service names hold no dots. */
  saturationTests: (service: Pick<Service, 'name'>) => `prometheus/tests/${service.name}.saturation.test.yml`,
  /** Tests of the service's recorded version series (the upgrade watch reads it). */
  versionTests: (service: Pick<Service, 'name'>) => `prometheus/tests/${service.name}.version.test.yml`,
  /** Rule file path as the test file refers to it (tests sit next to rules/). */
  rulesFromTests: (service: Pick<Service, 'name'>) => `../rules/${service.name}.yml`,
  manifest: 'manifest.json',
};

/** A path under the catalog's Grafana base URL. */
export function grafanaUrl(settings: CatalogSettings, path: string): string {
  return `${trimSlash(settings.grafanaBaseUrl)}${path}`;
}

/** A runbook file (and anchor) under the catalog's runbook base URL. */
export function runbookFileUrl(settings: CatalogSettings, service: Pick<Service, 'name'>): string {
  return `${trimSlash(settings.runbookBaseUrl)}/${runbookFile(service)}`;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
