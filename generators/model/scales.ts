/**
 * Deployment scales (catalog/scales/): reference architectures as data. Every scale is checked
 * against the catalog (its services, SLIs and resources must exist), whichever one is generated.
 */
import { distance } from 'fastest-levenshtein';
import type { PathSegment, SourceFile } from '../load/yaml-source.js';
import type { Scale, Service } from './types.js';
import type { ScaleResourceOverride } from './saturation.js';

export interface ScaleDoc {
  name: string;
  description: string;
  users: number;
  services: Record<
    string,
    {
      requests_per_second?: number;
      saturation?: Record<string, ScaleResourceOverride & { expected?: number }>;
      slis?: Record<string, { objective?: number }>;
    }
  >;
}

type Report = (source: SourceFile, path: readonly PathSegment[], message: string, hint: string, key?: boolean) => void;

export function scaleFromDoc(doc: ScaleDoc): Scale {
  const services: Record<string, Scale['services'][string]> = {};
  for (const [name, s] of Object.entries(doc.services).sort(([a], [b]) => a.localeCompare(b))) {
    const expected: Record<string, number> = {};
    for (const [r, o] of Object.entries(s.saturation ?? {}).sort(([a], [b]) => a.localeCompare(b))) if (o.expected !== undefined) expected[r] = o.expected;
    services[name] = { requestsPerSecond: s.requests_per_second, expected };
  }
  return { name: doc.name, description: doc.description, users: doc.users, services };
}

/** Every SLI and resource a scale mentions must exist, or its override would silently do nothing. */
export function checkScaleReferences(src: SourceFile, doc: ScaleDoc, services: readonly Service[], declared: ReadonlyMap<string, ReadonlySet<unknown>>, report: Report): void {
  for (const [name, s] of Object.entries(doc.services)) {
    const service = services.find((x) => x.name === name);
    if (!service) {
      // A reference architecture covers the whole platform; an install may leave a service out.
      // A name one typo away from a real service is a mistake, though.
      const near = services.map((x) => x.name).find((x) => distance(x, name) <= 2);
      if (near) report(src, ['services', name], `scale "${doc.name}" names service "${name}", which is not in the catalog`, `did you mean "${near}"?`, true);
      continue;
    }
    for (const r of Object.keys(s.saturation ?? {})) {
      if (!service.saturation.some((x) => x.name === r)) {
        report(src, ['services', name, 'saturation', r], `service "${name}" declares no saturation resource "${r}"`, `its resources: ${service.saturation.map((x) => x.name).join(', ') || 'none'}`, true);
      }
    }
    for (const sli of Object.keys(s.slis ?? {})) {
      if (!service.slis.some((x) => x.name === sli) && !declared.get(name)?.has(sli)) {
        report(src, ['services', name, 'slis', sli], `service "${name}" has no SLI "${sli}"`, `its SLIs: ${service.slis.map((x) => x.name).join(', ')}`, true);
      }
    }
  }
}
