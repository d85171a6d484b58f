/** Generated inhibition cases on a real Alertmanager: which targets it holds back, by which sources. */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { InhibitionCase } from '../../generators/emit/alertmanager/inhibition-cases.js';
import { scratchDir } from './catalog.js';
import { startAlertmanager } from './processes.js';

type Labels = Readonly<Record<string, string>>;
interface HeldAlert {
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly status: { readonly state: string; readonly inhibitedBy: readonly string[] };
}

/** Every case's alerts into a real Alertmanager at once (each case in its own cluster); what it holds back. */
export async function heldBack(configFile: string, cases: readonly InhibitionCase[]): Promise<{ failures: string[]; checked: number }> {
  const am = await startAlertmanager(configFile, join(scratchDir(), 'am-data'));
  try {
    const alerts = new Map<string, Labels>();
    for (const c of cases) for (const l of [c.source, c.target, ...(c.also ?? [])]) alerts.set(JSON.stringify(l), l);
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const posted = await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([...alerts.values()].map((labels) => ({ labels, endsAt }))) });
    expect(posted.status).toBe(200);
    const same = (a: Labels, b: Labels) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
    // Alertmanager's inhibitor takes in new alerts on its own: once it lists them all, read until
    // every case holds or three seconds have passed (a mutant's failures stay; which source it
    // names for a target it holds back twice over changes from one answer to the next).
    let failures: string[] = [];
    let allSince: number | undefined;
    for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      const held = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as HeldAlert[];
      if (held.length < alerts.size) continue;
      allSince ??= Date.now();
      const find = (l: Labels) => held.find((h) => same(h.labels, l))!;
      failures = [];
      for (const c of cases) {
        const target = find(c.target);
        const by = new Set([c.source, ...(c.also ?? [])].map((l) => find(l).fingerprint));
        const ok = c.inhibited ? target.status.state === 'suppressed' && target.status.inhibitedBy.some((f) => by.has(f)) : target.status.state === 'active';
        if (!ok) failures.push(`${c.name}: ${target.status.state} (inhibited by ${target.status.inhibitedBy.length})`);
      }
      if (!failures.length || Date.now() - allSince > 3000) return { failures, checked: cases.length };
    }
    throw new Error(`Alertmanager did not hold all ${alerts.size} alerts within 15 s; last failures: ${failures.join('; ')}`);
  } finally {
    await am.stop();
  }
}

