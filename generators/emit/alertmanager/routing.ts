/**
 * Alertmanager routing from the catalog: a route per team, pages and tickets to the team's own
 * receivers, grouped by alert, service and SLI, and the inhibition of inhibition.ts. Also the
 * table of routing cases `amtool config routes test` checks.
 */
import type { Model, Service, Severity, Sli, Team } from '../../model/types.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';
import { JOURNEY_LABEL } from '../../naming.js';
import { dependencyWait, inhibitRules } from './inhibition.js';

export const UNROUTED_RECEIVER = 'slokit-unrouted';
export type ReceiverKind = 'page' | 'ticket';

export function receiverName(team: Pick<Team, 'name'>, kind: ReceiverKind): string {
  return `${team.name}-${kind}`;
}

function receiverUrl(model: Model, team: Team, kind: ReceiverKind): string {
  return model.settings.alertmanager.receiverUrl.replaceAll('{team}', encodeURIComponent(team.name)).replaceAll('{kind}', kind);
}

/**
 * Who receives each severity of a service's alerts: its SLIs' teams (an SLI may name its own
 * owner) at the severities of their alerts, and the service's team for its saturation alerts.
 * Experimental SLIs have no alerts, so they route nothing.
 */
function alertOwners(service: Service): { team: Team; severity: Severity }[] {
  const owners = new Map<string, { team: Team; severity: Severity }>();
  const add = (team: Team, severity: Severity) => owners.set(`${team.name}\0${severity}`, { team, severity });
  for (const sli of service.slis) {
    if (sli.experimental) continue;
    for (const a of sli.alerts) add(sli.team, a.severity);
    add(sli.team, 'warning'); // the budget-exhausted ticket, whatever the rows
  }
  if (service.saturation.length) {
    add(service.team, 'warning');
    if (service.pages) add(service.team, 'critical');
  }
  // Its team has a route even when nothing of the service alerts (every SLI experimental): the route is checked too.
  if (!owners.size) add(service.team, 'warning');
  return [...owners.values()].sort((a, b) => a.team.name.localeCompare(b.team.name) || a.severity.localeCompare(b.severity));
}

/** Journeys whose burn alerts reach Alertmanager. */
const alertingJourneys = (model: Model) => model.journeys.filter((j) => j.burnAlerts);

/** Teams that own at least one service, SLI, group of an SLI (owners_by) or alerting journey: only they get routes. */
function routedTeams(model: Model): Team[] {
  const owning = new Set([
    ...model.services.flatMap((s) => [s.team.name, ...s.slis.flatMap((sli) => [sli.team.name, ...groupOwners(sli).map((o) => o.team.name)])]),
    ...alertingJourneys(model).map((j) => j.team.name),
  ]);
  return model.teams.filter((t) => owning.has(t.name));
}

/** The owners of an alerting SLI's groups by label value (none for an experimental SLI, which has no alerts). */
const groupOwners = (sli: Sli) => (sli.experimental ? [] : (sli.ownersBy?.owners ?? []));

/** A label matcher for Alertmanager: the values are plain (letters, digits, _ : -), nothing to escape. */
const valuesMatcher = (label: string, values: readonly string[]) => `${label}=~"${values.join('|')}"`;

/**
 * Routes of the groups an SLI's label values give to other teams (owners_by), ahead of the team
 * routes: an alert of such a group reaches the team that owns its value.
 */
function groupOwnerRoutes(model: Model, teamRoute: (t: Team, matchers: string[]) => object): object[] {
  return model.services.flatMap((service) =>
    service.slis.flatMap((sli) => groupOwners(sli).map((o) => teamRoute(o.team, [`service="${service.name}"`, `sli="${sli.name}"`, valuesMatcher(sli.ownersBy!.label, o.values)]))),
  );
}

/** Services with dependencies whose pages go to `team`. */
function servicesWithDependencies(model: Model, team: Team): Service[] {
  return model.services
    .filter((s) => s.heldBackBy.length > 0 && (s.team.name === team.name || s.slis.some((sli) => !sli.experimental && sli.team.name === team.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function alertmanagerConfig(model: Model) {
  const am = model.settings.alertmanager;
  const teams = routedTeams(model);
  // One page per incident: a service's pages in one place are one notification, whichever SLIs,
  // tiers or resources fire; tickets stay one per alert, SLI and resource.
  // A journey's alerts carry no service: grouped by journey instead (only when a journey alerts, so other catalogs' routing stays as it was).
  const byJourney = alertingJourneys(model).length ? [JOURNEY_LABEL] : [];
  const pageGroupBy = ['service', ...byJourney, ...model.settings.aggregationLabels];
  const waitForDependencies = dependencyWait(model);
  const teamRoute = (t: Team, matchers: string[]) => {
    const dependent = servicesWithDependencies(model, t);
    return {
      matchers,
      receiver: receiverName(t, 'ticket'),
      // Tickets wait as long as a dependent's page: a page that holds one back (its service's,
      // or a dependency's) may reach Alertmanager a little later, and a ticket can wait.
      group_wait: waitForDependencies,
      routes: [
        // Pages of services that depend on others wait for their dependencies' pages to inhibit them.
        ...(dependent.length
          ? [{ matchers: ['severity="critical"', `service=~"${dependent.map((s) => s.name).join('|')}"`], receiver: receiverName(t, 'page'), group_by: pageGroupBy, group_wait: waitForDependencies }]
          : []),
        { matchers: ['severity="critical"'], receiver: receiverName(t, 'page'), group_by: pageGroupBy, group_wait: am.groupWait },
      ],
    };
  };
  return {
    route: {
      receiver: UNROUTED_RECEIVER,
      group_by: ['alertname', 'service', 'sli', 'resource', ...byJourney],
      group_wait: am.groupWait,
      group_interval: am.groupInterval,
      repeat_interval: am.repeatInterval,
      routes: [...groupOwnerRoutes(model, teamRoute), ...teams.map((t) => teamRoute(t, [`team="${t.name}"`]))],
    },
    inhibit_rules: inhibitRules(model),
    receivers: [
      { name: UNROUTED_RECEIVER },
      ...teams.flatMap((t) =>
        (['page', 'ticket'] as const).map((kind) => ({
          name: receiverName(t, kind),
          webhook_configs: [{ url: receiverUrl(model, t, kind), send_resolved: true }],
        })),
      ),
    ],
  };
}

export interface RouteCase {
  readonly labels: Readonly<Record<string, string>>;
  readonly receiver: string;
}

/**
 * Every team × severity the catalog can produce, every page of a service with dependencies
 * (they take their own route, which waits for the dependencies' pages), and a label set no team owns.
 */
export function routeCases(model: Model): RouteCase[] {
  const cases: RouteCase[] = [];
  for (const t of routedTeams(model)) {
    for (const service of servicesWithDependencies(model, t)) cases.push({ labels: { team: t.name, severity: 'critical', service: service.name }, receiver: receiverName(t, 'page') });
  }
  // One case per team and severity: looking each up among the cases made so far was quadratic (0.4 s at 5,000 services).
  const covered = new Set(cases.map((c) => `${c.labels.team}\0${c.labels.severity}`));
  for (const service of model.services) {
    for (const { team, severity } of alertOwners(service)) {
      const key = `${team.name}\0${severity}`;
      if (covered.has(key)) continue;
      covered.add(key);
      cases.push({ labels: { team: team.name, severity, service: service.name }, receiver: receiverName(team, severity === 'critical' ? 'page' : 'ticket') });
    }
  }
  // Each group owner's first value at each severity of the SLI goes to that owner; a value no one owns stays with the SLI's team.
  for (const service of model.services) {
    for (const sli of service.slis) {
      const owners = groupOwners(sli);
      if (!owners.length) continue;
      const severities = [...new Set(['warning' as Severity, ...sli.alerts.map((a) => a.severity)])].sort();
      const at = (value: string, severity: Severity) => ({ team: sli.team.name, severity, service: service.name, sli: sli.name, [sli.ownersBy!.label]: value });
      for (const severity of severities) {
        const kind = severity === 'critical' ? 'page' : 'ticket';
        for (const o of owners) cases.push({ labels: at(o.values[0]!, severity), receiver: receiverName(o.team, kind) });
        cases.push({ labels: at('slokit-owned-by-no-one', severity), receiver: receiverName(sli.team, kind) });
      }
    }
  }
  for (const j of alertingJourneys(model)) {
    for (const severity of [...new Set(j.alerts.map((a) => a.severity))].sort()) {
      cases.push({ labels: { team: j.team.name, severity, [JOURNEY_LABEL]: j.name }, receiver: receiverName(j.team, severity === 'critical' ? 'page' : 'ticket') });
    }
  }
  cases.push({ labels: { team: 'no-such-team', severity: 'critical' }, receiver: UNROUTED_RECEIVER });
  return cases;
}

export function alertmanagerYaml(model: Model): string {
  return toYaml(
    alertmanagerConfig(model),
    `${GENERATED_HEADER}\nRouting for slokit alerts. To merge into an existing alertmanager.yml, add route.routes to your route tree,\nand append receivers and inhibit_rules (replace the webhook receivers with your paging and ticketing integrations).`,
  );
}

export function routeCasesYaml(model: Model): string {
  return toYaml({ cases: routeCases(model) }, `${GENERATED_HEADER}\nEach case: amtool config routes test --config.file=alertmanager.yml LABELS... must print RECEIVER.`);
}
