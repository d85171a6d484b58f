/** Prometheus durations, one unit or several ("1h30m", as Pyrra writes its windows), kept as written ("28d" stays "28d", never "4w"). */
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

export interface Duration {
  /** As declared, e.g. "30d". */
  readonly text: string;
  readonly seconds: number;
}

/** Prometheus' own grammar: units from the largest down, each at most once. */
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNITS_IN_ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

export function parseDuration(text: string): Duration | undefined {
  const m = text ? DURATION_RE.exec(text) : null;
  if (!m) return undefined;
  const seconds = UNITS_IN_ORDER.reduce((sum, unit, i) => sum + Number(m[i + 1] ?? 0) * UNIT_SECONDS[unit]!, 0);
  return seconds > 0 ? { text, seconds } : undefined;
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
