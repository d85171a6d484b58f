/**
 * The cases the generated inhibition must pass, written next to alertmanager.yml: for every
 * dependency edge (direct or through others), every pair of page tiers and a page over its
 * service's tickets, a source alert and a target alert with the labels the generated rules give
 * them, and whether Alertmanager must hold the target back. Each case has its own cluster (or
 * last aggregation label), so one Alertmanager can hold every case at once. The cases that must
 * not inhibit matter as much: the other way round along an edge, another cluster, a dependency
 * whose own series vanished, a dependent's own vanished page.
 */
import type { Model, Service, Sli } from '../../model/types.js';
import { alertLabelSets, type AlertLabelSet } from '../alert-rules.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';
import { directDependents, heldBackDependents, pageTierPairs } from './inhibition.js';

export interface InhibitionCase {
  readonly name: string;
  readonly source: Readonly<Record<string, string>>;
  readonly target: Readonly<Record<string, string>>;
  /** Other alerts firing in the same place. */
  readonly also?: readonly Readonly<Record<string, string>>[];
  readonly inhibited: boolean;
}

type Kind = AlertLabelSet['kind'];

/** Services whose cases prove the rules that do not name services (tiers, a page over its tickets). */
const GENERIC_EXAMPLES = 3;

const isPage = (d: AlertLabelSet) => d.kind === 'burn' && d.severity === 'critical';
const isKind = (kind: Kind, severity?: string) => (d: AlertLabelSet) => d.kind === kind && (!severity || d.severity === severity);
const isTicket = (d: AlertLabelSet) => d.severity === 'warning';
const isOtherTicket = (d: AlertLabelSet) => isTicket(d) && d.kind !== 'burn';
const isAnyPage = (d: AlertLabelSet) => d.severity === 'critical';
const isCriticalVanished = isKind('vanished', 'critical');
const isBurnTicket = isKind('burn', 'warning');
/** Every kind of alert the cases ask a service for (see firstDef). */
const ASKED = [isPage, isCriticalVanished, isBurnTicket, isAnyPage, isOtherTicket, isTicket];

type Found = { readonly sli: Sli; readonly def: AlertLabelSet } | undefined;

export function inhibitionCases(model: Model): InhibitionCase[] {
  const where = model.settings.aggregationLabels;
  const cases: InhibitionCase[] = [];
  // A service's first alert of every kind asked for, found in one pass over its SLIs the first
  // time any is asked for (every edge of a service asks again); only those are kept, not every
  // SLI's alerts: holding all of them added 0.5 GiB to the peak at 25,000 SLIs.
  const found = new Map<string, Map<(d: AlertLabelSet) => boolean, Found>>();
  const firstDef = (service: Service, test: (d: AlertLabelSet) => boolean): Found => {
    if (!ASKED.includes(test)) throw new Error('inhibition cases: a kind of alert missing from ASKED');
    let byKind = found.get(service.name);
    if (!byKind) {
      byKind = new Map();
      for (const sli of service.slis) {
        const defs = alertLabelSets(model, service, sli);
        for (const kind of ASKED) {
          const def = byKind.has(kind) ? undefined : defs.find(kind);
          if (def) byKind.set(kind, { sli, def });
        }
        if (byKind.size === ASKED.length) break;
      }
      found.set(service.name, byKind);
    }
    return byKind.get(test);
  };
  /** Labels Prometheus sends for the alert, in the case's own place (every aggregation label set). */
  const alert = (def: AlertLabelSet, place: string) => ({
    alertname: def.name,
    ...def.expectedLabels(Object.fromEntries(where.map((l, i) => [l, i === where.length - 1 ? place : 'production']))),
  });
  const add = (name: string, source: AlertLabelSet, target: AlertLabelSet, inhibited: boolean, options: { otherPlace?: boolean; also?: AlertLabelSet[] } = {}) => {
    const place = `case-${cases.length + 1}`;
    const also = options.also?.map((d) => alert(d, place));
    cases.push({ name, source: alert(source, options.otherPlace ? `${place}-elsewhere` : place), target: alert(target, place), ...(also ? { also } : {}), inhibited });
  };
  const services = [...model.services].sort((a, b) => a.name.localeCompare(b.name));
  for (const dep of services) {
    const direct = directDependents(model, dep.name);
    // Most services of a large catalog are no one's dependency: their alerts need no looking at.
    if (!direct.length) continue;
    const cause = firstDef(dep, isPage);
    if (!cause) continue;
    const vanished = firstDef(dep, isCriticalVanished);
    for (const dependent of direct) {
      const page = firstDef(dependent, isPage);
      const ticket = firstDef(dependent, isBurnTicket);
      const edge = `${dep.name} -> ${dependent.name}`;
      if (!dependent.heldBackBy.includes(dep.name)) {
        // Declared with inhibit: false: the dependent keeps paging, naming the dependency.
        if (page) add(`${edge} (inhibit: false): the dependent's page is not held back`, cause.def, page.def, false);
        continue;
      }
      if (page) {
        add(`${edge}: the dependency's page holds back the dependent's page`, cause.def, page.def, true);
        if (where.length) add(`${edge}: not from another ${where.at(-1)!}`, cause.def, page.def, false, { otherPlace: true });
        add(`${edge}: never the other way round`, page.def, cause.def, false);
        if (vanished) add(`${edge}: not while only the dependency's series are gone`, vanished.def, page.def, false);
        const ownVanished = firstDef(dependent, isCriticalVanished);
        if (ownVanished) add(`${edge}: never the dependent's own vanished page`, cause.def, ownVanished.def, false);
      }
      if (ticket) add(`${edge}: the dependency's page holds back the dependent's ticket`, cause.def, ticket.def, true);
    }
    // Two hops: held back through the page of the service between, and only then.
    for (const between of heldBackDependents(model, dep.name)) {
      const betweenPage = firstDef(between, isPage);
      const far = heldBackDependents(model, between.name).find((s) => !direct.includes(s) && s !== dep);
      const farPage = far && firstDef(far, isPage);
      if (!betweenPage || !far || !farPage) continue;
      const path = `${dep.name} -> ${between.name} -> ${far.name}`;
      add(`${path}: held back through ${between.name}'s page`, cause.def, farPage.def, true, { also: [betweenPage.def] });
      add(`${path}: pages while ${between.name} does not burn`, cause.def, farPage.def, false);
      break;
    }
  }
  // The tier and ticket rules match on labels every service's alerts share, not on names: a few
  // services prove them (every edge's cases are above), and a large catalog is not slowed down.
  const examples = services.slice(0, GENERIC_EXAMPLES);
  for (const [hi, lo] of pageTierPairs(model)) {
    for (const service of services) {
      if (cases.filter((c) => c.name.includes(`: the ${hi} page holds back the ${lo} page`)).length >= GENERIC_EXAMPLES) break;
      for (const sli of service.slis) {
        const defs = alertLabelSets(model, service, sli);
        const source = defs.find((d) => isPage(d) && d.burn?.name === hi);
        const target = defs.find((d) => isPage(d) && d.burn?.name === lo);
        if (!source || !target) continue;
        add(`${service.name}/${sli.name}: the ${hi} page holds back the ${lo} page`, source, target, true);
        add(`${service.name}/${sli.name}: never the ${lo} page the ${hi} page`, target, source, false);
        const other = service.slis.find((s) => s !== sli);
        const otherTarget = other && alertLabelSets(model, service, other).find((d) => isPage(d) && d.burn?.name === lo);
        if (otherTarget) add(`${service.name}/${sli.name}: not the ${lo} page of ${other.name}`, source, otherTarget, false);
        break;
      }
    }
  }
  for (const service of examples) {
    const page = firstDef(service, isAnyPage);
    const ticket = firstDef(service, isOtherTicket);
    if (!page || !ticket) continue;
    add(`${service.name}: a page holds back the service's tickets, of any SLI`, page.def, ticket.def, true);
    const other = services.find((s) => s !== service && firstDef(s, isTicket));
    const otherTicket = other && firstDef(other, isTicket);
    if (otherTicket && !heldBackDependents(model, service.name).includes(other!)) add(`${service.name}: not the tickets of ${other!.name}`, page.def, otherTicket.def, false);
  }
  return cases;
}

export function inhibitionCasesYaml(model: Model): string {
  return toYaml(
    { cases: inhibitionCases(model) },
    `${GENERATED_HEADER}\nEach case: with both alerts firing in Alertmanager, the target is suppressed by the source exactly when inhibited is true.`,
  );
}
