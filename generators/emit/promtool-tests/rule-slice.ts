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

/** What tells one SLI's rules apart from its shape's: identity labels and the selector of its recorded series. */
export interface RuleIdentity {
  readonly labels: Readonly<Record<string, string>>;
  readonly selector: string;
}

export function sliceOf(groups: readonly GroupObject[], service: string, sli: string): GroupObject[] {
  return groups
    .map((g) => ({ ...g, rules: g.rules.filter((r) => r.labels?.[SLI_LABELS.service] === service && r.labels?.[SLI_LABELS.sli] === sli) }))
    .filter((g) => g.rules.length > 0);
}

const nameOf = (r: RuleObject) => (r.alert !== undefined ? `alert ${r.alert}` : `record ${r.record}`);

/**
 * The first way the SLI's slice differs from its shape's rules, read in evaluation order, or
 * undefined when they are the same rules: same names, intervals, `for`, labels and annotation
 * keys; expressions equal once the SLI's selector is read as the shape's. The raw reads (the
 * rules named in `rawReads`) are the SLI's own by design and are proven by its own tests.
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
  for (let i = 0; i < a.length; i++) {
    const { rule: r, interval } = a[i]!;
    const { rule: s, interval: shapeInterval } = b[i]!;
    const where = `rule ${i + 1} (${nameOf(r)})`;
    if (nameOf(r) !== nameOf(s)) return `${where}: the shape has ${nameOf(s)} here`;
    if (interval !== shapeInterval) return `${where}: evaluated every ${interval}, the shape every ${shapeInterval}`;
    if (r.for !== s.for) return `${where}: for ${r.for ?? 'nothing'}, the shape ${s.for ?? 'nothing'}`;
    const isRaw = r.record !== undefined && rawReads.includes(r.record);
    if (!isRaw && r.expr.split(own.selector).join(canonical.selector) !== s.expr) return `${where}: its expression is not the shape's`;
    const labelProblem = labelDifference(r.labels ?? {}, s.labels ?? {}, own, canonical);
    if (labelProblem) return `${where}: ${labelProblem}`;
    const keys = (x: RuleObject) => Object.keys(x.annotations ?? {}).sort().join(',');
    if (keys(r) !== keys(s)) return `${where}: annotations ${keys(r) || 'none'}, the shape's ${keys(s) || 'none'}`;
  }
  return undefined;
}

function labelDifference(mine: Readonly<Record<string, string>>, shape: Readonly<Record<string, string>>, own: RuleIdentity, canonical: RuleIdentity): string | undefined {
  const keys = [...new Set([...Object.keys(mine), ...Object.keys(shape)])].sort();
  for (const k of keys) {
    const expected = canonical.labels[k] !== undefined && shape[k] === canonical.labels[k] ? own.labels[k] : shape[k];
    if (mine[k] !== expected) return `label ${k} is ${mine[k] === undefined ? 'missing' : JSON.stringify(mine[k])}, expected ${expected === undefined ? 'none' : JSON.stringify(expected)}`;
  }
  return undefined;
}
