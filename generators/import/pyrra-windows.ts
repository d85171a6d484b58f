/**
 * Pyrra's burn-rate windows as a slokit alert policy. Pyrra scales four windows from those it
 * uses for 28 days (1h/5m at 14x and 6h/30m at 7x paging, 1d/2h at 2x and 4d/6h at 1x
 * ticketing) by the SLO's window, rounded to the minute; as budget shares a slokit policy
 * spends 14 × long ÷ window of the budget in the long window, and so on. Pyrra's `for`
 * durations have no counterpart: slokit's short window is what keeps an alert from flapping.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { formatSeconds, type Duration } from '../model/duration.js';
import { BUNDLED_POLICIES } from '../paths.js';
import { toYaml } from '../emit/yaml-text.js';
import { safeName } from './draft.js';
import type { PolicyDraft } from './sloth-windows.js';

/** Pyrra's windows for 28 days, as divisors of the SLO window. */
const ROWS = [
  { name: 'page-fast', severity: 'critical', long: 28 * 24, short: 28 * 24 * 12, factor: 14 },
  { name: 'page-slow', severity: 'critical', long: 28 * 4, short: 28 * 24 * 2, factor: 7 },
  { name: 'ticket-fast', severity: 'warning', long: 28, short: 28 * 12, factor: 2 },
  { name: 'ticket-slow', severity: 'warning', long: 7, short: 28 * 4, factor: 1 },
] as const;

const MINUTE = 60;
const roundToMinute = (seconds: number) => Math.round(seconds / MINUTE) * MINUTE;

/** Whole minutes as Prometheus writes a compound duration (1h4m, 4d6h51m), as Pyrra's windows read. */
function compound(seconds: number): string {
  const parts: [number, string][] = [[86_400, 'd'], [3600, 'h'], [60, 'm']];
  let rest = seconds;
  let text = '';
  for (const [size, unit] of parts) {
    const n = Math.floor(rest / size);
    if (n) text += `${n}${unit}`;
    rest -= n * size;
  }
  return text || '0m';
}

/** The policy for one Pyrra window, or why its windows do not fit slokit (shorter than the raw window). */
export function pyrraWindowsPolicy(window: Duration, from: string): PolicyDraft | { readonly refused: string } {
  const base = parse(readFileSync(join(BUNDLED_POLICIES, 'default.yaml'), 'utf8')) as { evaluation: { raw_window: string; fast_windows_up_to: string }; traffic_cessation: object };
  const raw = 5 * MINUTE;
  const windows = ROWS.map((r) => ({ ...r, longSeconds: roundToMinute(window.seconds / r.long), shortSeconds: roundToMinute(window.seconds / r.short) }));
  const tooShort = windows.find((w) => w.shortSeconds < raw);
  if (tooShort) return { refused: `Pyrra's ${tooShort.name.replace('-', ' ')} short window for ${window.text} is ${formatSeconds(tooShort.shortSeconds)}, shorter than slokit's ${base.evaluation.raw_window} raw window` };
  const name = safeName(`pyrra-${window.text}`)!;
  const fastUpTo = Math.max(3600, windows[0]!.longSeconds);
  const text = toYaml(
    {
      name,
      description: `Pyrra's burn-rate windows for a ${window.text} SLO window (14x and 7x page, 2x and 1x ticket).`,
      evaluation: { ...base.evaluation, fast_windows_up_to: compound(fastUpTo) },
      windows: windows.map((w) => ({
        name: w.name,
        severity: w.severity,
        // Rounded up, so that Pyrra's 1x row stays at (not a hair below) the sustainable burn rate.
        budget_spent: Math.ceil(((w.factor * w.longSeconds) / window.seconds) * 1e12) / 1e12,
        long: compound(w.longSeconds),
        short: compound(w.shortSeconds),
      })),
      traffic_cessation: base.traffic_cessation,
    },
    `yaml-language-server: $schema=../schema/policy.schema.json\nImported by slokit import pyrra from ${from}; evaluation and traffic cessation are the bundled default policy's.`,
  );
  return { name, period: window.text, text, from };
}
