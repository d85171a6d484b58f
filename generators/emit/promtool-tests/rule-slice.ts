/**
 * One SLI's rules cut out of its service's rule file, and the proof that they are its shape's
 * rules under another name. Works on rule files as parsed from YAML, so `slokit test` checks
 * the files on disk, not the generator's idea of them.
 *
 * An SLI's rules read only raw series and its own recorded series (every selector of a
 * recorded series carries the SLI's service and sli labels), so its slice evaluates exactly
 * as it does inside the whole file: groups keep their order and names (promtool evaluates
 * them in that order at every step), and the rules of other SLIs are never read.
 */
import { SLI_LABELS } from '../../naming.js';
import { CATALOG_CONTEXT_ANNOTATIONS } from '../alert-rules.js';

export interface RuleObject {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface GroupObject {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly RuleObject[];
}

/** What tells one SLI's rules apart from its shape's: the values of its identity labels (service, sli, component, team). */
export interface RuleIdentity {
  readonly labels: Readonly<Record<string, string>>;
}

export function sliceOf(groups: readonly GroupObject[], service: string, sli: string): GroupObject[] {
  return groups
    .map((g) => ({ ...g, rules: g.rules.filter((r) => r.labels?.[SLI_LABELS.service] === service && r.labels?.[SLI_LABELS.sli] === sli) }))
    .filter((g) => g.rules.length > 0);
}

const nameOf = (r: RuleObject) => (r.alert !== undefined ? `alert ${r.alert}` : `record ${r.record}`);

/**
 * The shape's text as the SLI's: every canonical identity value (names no catalog can have,
 * so they occur only where the generator put the identity) becomes the SLI's own.
 * Catalog names are plain slugs, written as they are into PromQL strings, YAML and URLs.
 */
export function instantiate(text: string, own: RuleIdentity, canonical: RuleIdentity): string {
  let out = text;
  for (const [label, value] of Object.entries(canonical.labels).sort(([, a], [, b]) => b.length - a.length)) {
    if (own.labels[label] !== undefined) out = out.split(value).join(own.labels[label]!);
  }
  return out;
}

/**
 * The first way the SLI's slice differs from its shape's rules, read in evaluation order, or
 * undefined when they are the same rules under the SLI's name: same names, intervals and
 * `for`; expressions, labels and annotations equal to the shape's with its identity in place
 * of the canonical one. The raw reads (the rules named in `rawReads`) and the annotations about
 * the catalog around the SLI (CATALOG_CONTEXT_ANNOTATIONS) are the SLI's own by design and are
 * proven by its own tests.
 */
export function shapeDifference(
  slice: readonly GroupObject[],
  shape: readonly GroupObject[],
  own: RuleIdentity,
  canonical: RuleIdentity,
  rawReads: readonly string[],
): string | undefined {
  const flat = (groups: readonly GroupObject[]) => groups.flatMap((g) => g.rules.map((rule) => ({ interval: g.interval, rule })));
  const a = flat(slice);
  const b = flat(shape);
  if (a.length !== b.length) return `has ${a.length} rules, its shape ${b.length}`;
  const as = (text: string) => instantiate(text, own, canonical);
  for (let i = 0; i < a.length; i++) {
    const { rule: r, interval } = a[i]!;
    const { rule: s, interval: shapeInterval } = b[i]!;
    const where = `rule ${i + 1} (${nameOf(r)})`;
    if (nameOf(r) !== nameOf(s)) return `${where}: the shape has ${nameOf(s)} here`;
    if (interval !== shapeInterval) return `${where}: evaluated every ${interval}, the shape every ${shapeInterval}`;
    if (r.for !== s.for) return `${where}: for ${r.for ?? 'nothing'}, the shape ${s.for ?? 'nothing'}`;
    const isRaw = r.record !== undefined && rawReads.includes(r.record);
    if (!isRaw && r.expr !== as(s.expr)) return `${where}: its expression is not the shape's`;
    const labels = mapDifference('label', r.labels ?? {}, s.labels ?? {}, as);
    if (labels) return `${where}: ${labels}`;
    const annotations = mapDifference('annotation', withoutContext(r.annotations), withoutContext(s.annotations), as);
    if (annotations) return `${where}: ${annotations}`;
  }
  return undefined;
}

/** Annotations a shape can hold: those about the catalog around the SLI are the SLI's own tests' to prove. */
function withoutContext(annotations: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out = { ...annotations };
  for (const k of CATALOG_CONTEXT_ANNOTATIONS) delete out[k];
  return out;
}

function mapDifference(what: string, mine: Readonly<Record<string, string>>, shape: Readonly<Record<string, string>>, as: (text: string) => string): string | undefined {
  const keys = [...new Set([...Object.keys(mine), ...Object.keys(shape)])].sort();
  for (const k of keys) {
    const expected = shape[k] === undefined ? undefined : as(shape[k]!);
    if (mine[k] !== expected) {
      // Long values are shown around where they first differ.
      const a = mine[k] ?? '';
      const b = expected ?? '';
      let at = 0;
      while (at < a.length && a[at] === b[at]) at++;
      const from = Math.max(0, at - 30);
      const show = (v: string | undefined) => (v === undefined ? 'none' : JSON.stringify(`${from > 0 ? '...' : ''}${v.slice(from, from + 60)}${v.length > from + 60 ? '...' : ''}`));
      return `${what} ${k} is ${mine[k] === undefined ? 'missing' : show(mine[k])}, expected ${show(expected)}`;
    }
  }
  return undefined;
}
