/** Alert labels and annotations from another tool, minus those slokit sets itself (each one reported). */
import type { PathSegment, SourceFile } from '../load/yaml-source.js';
import { OWN_ANNOTATIONS } from '../model/alert-extras.js';
import type { FindingSink } from './draft.js';

export interface ImportContext {
  /** Labels slokit puts on every alert in the target catalog (severity, team, env, ...). */
  readonly ownLabels: ReadonlySet<string>;
  /** Team for services whose spec names none (or, with override, for every service). */
  readonly team?: string;
  readonly teamOverrides?: boolean;
  /** Sloth: the period of its built-in windows the specs ran with (`sloth generate --default-slo-period`). */
  readonly slothPeriod?: '28d' | '30d';
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** String values of a map, keeping those slokit can carry; `kind` says labels or annotations. */
export function carriedValues(
  sink: FindingSink,
  source: SourceFile,
  path: readonly PathSegment[],
  map: unknown,
  kind: 'label' | 'annotation',
  ctx: ImportContext,
  why: string,
): Record<string, string> | undefined {
  if (map === undefined || map === null) return undefined;
  if (typeof map !== 'object' || Array.isArray(map)) {
    sink.add(source, path, 'error', `${kind}s must be a mapping of names to text`);
    return undefined;
  }
  const own = kind === 'label' ? ctx.ownLabels : new Set<string>(OWN_ANNOTATIONS);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
    if (own.has(k)) {
      sink.add(source, [...path, k], 'note', `${kind} ${k} is not kept: slokit sets its own ${k} on every alert`, why);
    } else if (kind === 'label' && !LABEL_NAME.test(k)) {
      sink.add(source, [...path, k], 'unsupported', `label name ${JSON.stringify(k)} is not a Prometheus label name`, 'use letters, digits and underscores');
    } else if (kind === 'label' && v === '') {
      sink.add(source, [...path, k], 'note', `label ${k} is empty and not kept: Prometheus has no empty labels`);
    } else if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      sink.add(source, [...path, k], 'error', `${kind} ${k} must be text`);
    } else out[k] = String(v);
  }
  return Object.keys(out).length ? out : undefined;
}
