/**
 * Real Prometheus and Alertmanager processes for tests, on free loopback ports, with their
 * logs kept for failure messages, and always stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../generators/paths.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Running {
  readonly name: string;
  readonly url: string;
  readonly proc: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

async function waitReady(url: string, r: Running, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (r.proc.exitCode !== null) throw new Error(`${r.name} exited with ${r.proc.exitCode}:\n${r.logs()}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`${r.name} not ready after ${timeoutMs} ms:\n${r.logs()}`);
}

export async function startProcess(name: string, command: string, args: string[], port: number, readyPath: string): Promise<Running> {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  proc.on('error', (e) => (log += `\nspawn error: ${e.message} (install Debian's prometheus and prometheus-alertmanager packages)\n`));
  const running: Running = {
    name,
    url: `http://127.0.0.1:${port}`,
    proc,
    logs: () => log.split('\n').slice(-60).join('\n'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
        proc.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
  try {
    await waitReady(`${running.url}${readyPath}`, running, 30_000);
  } catch (e) {
    await running.stop();
    throw e;
  }
  return running;
}

export async function startPrometheus(configFile: string, dataDir: string, extra: string[] = []): Promise<Running> {
  const port = await freePort();
  return startProcess('prometheus', 'prometheus', [`--config.file=${configFile}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, ...extra], port, '/-/ready');
}

/** `slokit serve` from dist/ on a free port, for `catalog` over the Prometheus at `prometheusUrl`. */
export async function startServe(catalog: string, prometheusUrl: string, extra: string[] = []): Promise<Running> {
  const port = await freePort();
  const cli = join(PROJECT_ROOT, 'dist', 'generators', 'cli.js');
  return startProcess('slokit serve', process.execPath, [cli, 'serve', '--catalog', catalog, '--prometheus', prometheusUrl, '--port', String(port), ...extra], port, '/healthz');
}

export async function startAlertmanager(configFile: string, dataDir: string): Promise<Running> {
  const port = await freePort();
  return startProcess('alertmanager', 'prometheus-alertmanager', [`--config.file=${configFile}`, `--storage.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], port, '/-/ready');
}
