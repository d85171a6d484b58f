/**
 * Exact-looking decimals. Objectives and factors are written by people as short decimals;
 * binary floating point turns 1 - 0.999 into 0.0010000000000000009. Rounding every derived
 * value to 12 significant digits gives back what a person would write.
 */
export function clean(value: number): number {
  // Integers of up to 12 digits are already what toPrecision(12) gives (test inputs are mostly counts).
  if (Number.isInteger(value) && Math.abs(value) < 1e12) return value;
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(12));
}

/** A number as PromQL and YAML should show it: shortest exact form, no exponent for usual sizes. */
export function formatNumber(value: number): string {
  const v = clean(value);
  if (Number.isInteger(v)) return String(v);
  const s = String(v);
  if (!s.includes('e')) return s;
  // Small values such as 1e-7: write them out so they read like the objective they came from.
  const digits = Math.max(0, -Math.floor(Math.log10(Math.abs(v))) + 12);
  return v.toFixed(Math.min(digits, 20)).replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * The number `formatNumber` writes, as a number, without making the text: the same value
 * (String() writes no exponent between 1e-6 and 1e21, so the text is clean()'s own), at a
 * fraction of the cost where tests feed a value a minute for hours.
 */
export function writtenNumber(value: number): number {
  const v = clean(value);
  const size = Math.abs(v);
  return v === 0 || (size >= 1e-6 && size < 1e21) || !Number.isFinite(v) ? v : Number(formatNumber(value));
}

/** Percent for people: 99.9 -> "99.9%", 0.0144 -> "1.44%". */
export function formatPercent(ratio: number): string {
  return `${formatNumber(ratio * 100)}%`;
}
