/**
 * What the end-to-end tests share: the default alert policy compressed 60 times, waiting on a
 * live system, instances of the SDK example service, and a webhook receiver.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './catalog.js';
import { freePort } from './processes.js';

/** The default policy compressed 60 times (1h -> 1m), so a scenario takes minutes. */
export const COMPRESSED_POLICY = `name: e2e
description: The default policy compressed 60 times (1h -> 1m), for the end-to-end tests.
evaluation: { raw_window: 5s, fast_interval: 1s, slow_interval: 5s, fast_windows_up_to: 1m }
windows:
  - { name: fast, severity: critical, budget_spent: 0.02, long: 1m, short: 5s }
  - { name: moderate, severity: critical, budget_spent: 0.05, long: 6m, short: 30s }
  - { name: slow, severity: warning, budget_spent: 0.1, long: 24m, short: 2m }
  - { name: gradual, severity: warning, budget_spent: 0.1, long: 72m, short: 6m }
traffic_cessation: { silence: 30s, baseline: 6m, min_expected_events: 100 }
`;

/** Polls `probe` every 250 ms until it returns a value; on timeout, fails with `context()` (logs, what arrived). */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, context: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}\n${context()}`);
}

/** Starts the SDK example service on a free port; its URL. The caller kills the process. */
export async function startExample(): Promise<{ url: string; process: ChildProcess }> {
  const example = spawn(process.execPath, [join(ROOT, 'sdk', 'examples', 'webhook-relay', 'server.mjs')], { env: { ...process.env, PORT: '0', LOG_REQUESTS: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: example.stdout! }).once('line', resolve));
  return { url: `http://127.0.0.1:${(JSON.parse(line) as { listening: number }).listening}`, process: example };
}

/** What Alertmanager posts to a webhook receiver, with when and where it arrived. */
export interface Notification {
  readonly at: number;
  readonly path: string;
  readonly receiver: string;
  readonly groupKey: string;
  readonly status: string;
  readonly alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** A webhook receiver on a free loopback port that keeps every notification it is sent. */
export async function startWebhookReceiver(): Promise<{ port: number; notifications: Notification[]; close(): void }> {
  const notifications: Notification[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      notifications.push({ ...(JSON.parse(body) as Omit<Notification, 'at' | 'path'>), at: Date.now(), path: req.url ?? '' });
      res.end('ok');
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { port, notifications, close: () => server.close() };
}
