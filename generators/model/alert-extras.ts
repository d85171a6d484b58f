/**
 * Extra labels and annotations a catalog puts on generated alerts (`alerting:` on a service or
 * an SLI): merged service first, then SLI, key by key; page extras go on critical alerts,
 * ticket extras on warnings. Labels and annotations slokit writes itself are refused, since
 * routing, inhibition, runbook links and the generated tests rely on them.
 */
import type { PathSegment } from '../load/yaml-source.js';
import type { AlertExtras, CatalogSettings } from './types.js';

export interface ExtrasDoc {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  page?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  ticket?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** An SLI's `alerting`: the extras, and switches for its alerts. */
export interface SliAlertingDoc extends ExtrasDoc {
  pages?: boolean;
  traffic_cessation?: boolean;
}

export const OWN_ANNOTATIONS = ['summary', 'description', 'runbook_url', 'dashboard_url'] as const;

/** Labels slokit itself puts on its alerts (besides the catalog's aggregation labels). */
export const SLOKIT_ALERT_LABELS = ['alertname', 'severity', 'team', 'service', 'sli', 'component', 'long', 'short', 'resource'] as const;

export function ownAlertLabels(settings: CatalogSettings): string[] {
  return [...SLOKIT_ALERT_LABELS, ...settings.aggregationLabels];
}

type Report = (path: PathSegment[], message: string, hint: string) => void;

/** Reports every reserved key at `base` (the path of the `alerting` block) and merges the rest. */
export function alertExtras(settings: CatalogSettings, service: ExtrasDoc | undefined, sli: ExtrasDoc | undefined, report: { service: Report; sli: Report }): AlertExtras {
  const ownLabels = new Set(ownAlertLabels(settings));
  const ownAnnotations = new Set<string>(OWN_ANNOTATIONS);
  const check = (doc: ExtrasDoc | undefined, add: Report) => {
    const parts: [PathSegment[], { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined][] = [
      [['alerting'], doc],
      [['alerting', 'page'], doc?.page],
      [['alerting', 'ticket'], doc?.ticket],
    ];
    for (const [path, part] of parts) {
      for (const k of Object.keys(part?.labels ?? {})) {
        if (ownLabels.has(k)) add([...path, 'labels', k], `label "${k}" is one slokit sets on every alert`, `choose another name; slokit's own labels are ${[...ownLabels].join(', ')}`);
      }
      for (const k of Object.keys(part?.annotations ?? {})) {
        if (ownAnnotations.has(k)) add([...path, 'annotations', k], `annotation "${k}" is one slokit writes on every alert`, `choose another name; slokit's own annotations are ${OWN_ANNOTATIONS.join(', ')}`);
      }
    }
  };
  check(service, report.service);
  check(sli, report.sli);
  const merge = (pick: (d: ExtrasDoc | undefined) => Record<string, string> | undefined) => ({ ...pick(service), ...pick(sli) });
  return {
    all: { labels: merge((d) => d?.labels), annotations: merge((d) => d?.annotations) },
    page: { labels: merge((d) => d?.page?.labels), annotations: merge((d) => d?.page?.annotations) },
    ticket: { labels: merge((d) => d?.ticket?.labels), annotations: merge((d) => d?.ticket?.annotations) },
  };
}
