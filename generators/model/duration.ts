/** Prometheus durations with one unit, kept as written ("28d" stays "28d", never "4w"). */
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

export interface Duration {
  /** As declared, e.g. "30d". */
  readonly text: string;
  readonly seconds: number;
}

export function parseDuration(text: string): Duration | undefined {
  const m = /^([1-9][0-9]*)(ms|s|m|h|d|w|y)$/.exec(text);
  if (!m) return undefined;
  return { text, seconds: Number(m[1]) * UNIT_SECONDS[m[2]!]! };
}

/** The shortest one-unit spelling of a number of seconds (for windows we derive, not ones we were given). */
export function formatSeconds(seconds: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_SECONDS[unit]!;
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${Math.round(seconds * 1000)}ms`;
}

/**
 * A range as Prometheus reads it, in compound units ("54m30s"): for ranges slokit derives that
 * are deliberately not a whole number of intervals.
 */
export function formatRange(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds * 1000);
  for (const [unit, size] of [['d', 86400000], ['h', 3600000], ['m', 60000], ['s', 1000], ['ms', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || '0s';
}

export function durationOf(seconds: number): Duration {
  return { text: formatSeconds(seconds), seconds };
}
