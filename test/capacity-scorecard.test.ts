/**
 * Deployment scales (generate --scale), `slokit capacity` offline and against a real Prometheus
 * holding a week of backfilled saturation data, and `slokit scorecard` on a catalog with a
 * deliberately immature service.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMTOOL_MISSING, promtoolAvailable } from '../generators/promtool.js';
import { cli, cliAsync, copyCatalog, edit, scratchDir } from './helpers/catalog.js';
import { startPrometheus, type Running } from './helpers/processes.js';

describe('deployment scales', () => {
  it('generate --scale applies the scale\'s thresholds and objectives; an unknown scale is an error with the list', () => {
    const out = join(scratchDir(), 'out');
    const r = cli(['generate', '--scale', '50k', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('for scale 50k (50,000 users)');
    const web = readFileSync(join(out, 'prometheus', 'rules', 'web.yml'), 'utf8');
    expect(web).toContain('resource="node-cpu"} > 0.7\'');
    expect(web).toContain('resource="node-cpu"} > 0.9\'');
    expect(web).toMatch(/record: slo:objective:ratio\n\s+expr: 'vector\(0\.9995\)'\n\s+labels:\n\s+service: web\n\s+sli: puma-requests/);
    const bad = cli(['generate', '--scale', '5k', '--out', join(scratchDir(), 'out')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/scale "5k" not found\n {2}fix: did you mean "1k"\? scales of this catalog, smallest first: 1k, 10k, 50k/);
  });

  it('a scale naming an SLI or resource the service lacks is a located error', () => {
    const catalog = copyCatalog();
    edit(join(catalog, 'scales', '10k.yaml'), (t) => t.replace('      puma-threads: { expected: 0.5 }', '      puma-thread: { expected: 0.5 }\n    slis:\n      puma-request: { objective: 99.95 }'));
    const r = cli(['validate', '--catalog', catalog]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/scales\/10k\.yaml:\d+:\d+: error: service "web" declares no saturation resource "puma-thread"/);
    expect(r.stderr).toMatch(/scales\/10k\.yaml:\d+:\d+: error: service "web" has no SLI "puma-request"\n {2}fix: its SLIs: puma-requests, puma-latency/);
    // Thresholds a scale makes inconsistent are caught when generating for it.
    const other = copyCatalog();
    edit(join(other, 'scales', '10k.yaml'), (t) => t.replace('      node-cpu: { expected: 0.55 }', '      node-cpu: { expected: 0.55, soft: 0.97 }'));
    expect(cli(['generate', '--catalog', other, '--out', join(scratchDir(), 'out')]).code).toBe(0);
    const scaled = cli(['generate', '--catalog', other, '--scale', '10k', '--out', join(scratchDir(), 'out')]);
    expect(scaled.code).toBe(1);
    expect(scaled.stderr).toMatch(/web\.yaml:\d+:\d+: error: soft threshold 0\.97 must be below the hard threshold 0\.95 with the overrides of scale 10k\n {2}fix: .*\(in scales\/10k\.yaml or here\)/);
  });
});

describe('slokit capacity', () => {
  it('offline: expected utilisation and headroom from the scale, and no forecast without data', () => {
    const r = cli(['capacity', '--scale', '10k']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^postgres +postgres-connections +60% expected +75% +90% +30% +needs --prometheus +ok$/m);
    expect(r.stdout).toMatch(/^web +puma-threads +50% expected +80% +95% +45% +needs --prometheus +ok$/m);
    expect(r.stdout).toMatch(/^registry +container-cpu +- +80% +95% +- +needs --prometheus +unknown$/m);
    expect(r.stdout).toContain('  postgres: expects 1500/s');
    const md = cli(['capacity', '--scale', '1k', '--format', 'markdown']);
    expect(md.stdout).toMatch(/^# Capacity plan: 1k \(up to 1,000 users\)$/m);
    expect(md.stdout).toContain('| web | Node memory | 70% expected | 90% | 97% | 27% | needs --prometheus | ok |');
    expect(cli(['capacity']).code).toBe(2);
  });

  describe('against a real Prometheus with a week of data', () => {
    let prometheus: Running | undefined;
    const now = Math.floor(Date.now() / 1000);
    beforeAll(async () => {
      if (!promtoolAvailable()) throw new Error(PROMTOOL_MISSING);
      const dir = scratchDir('slokit-capacity-');
      const env = 'env="production",cluster="main"';
      // Postgres connections climb 1% a day to 80% now; redis memory is flat at 40%; web traffic is 260/s.
      const lines = ['# TYPE saturation:utilisation:ratio gauge'];
      const days = 7;
      for (let t = now - 60 - Math.floor((days * 86_400) / 300) * 300; t <= now - 60; t += 300) {
        const ago = (now - t) / 86_400;
        lines.push(`saturation:utilisation:ratio{service="postgres",resource="postgres-connections",${env}} ${(0.8 - 0.01 * ago).toFixed(6)} ${t}`);
        lines.push(`saturation:utilisation:ratio{service="redis",resource="redis-memory",${env}} 0.4 ${t}`);
        lines.push(`saturation:utilisation:ratio{service="sidekiq",resource="queue-depth",${env}} 0.95 ${t}`);
      }
      lines.push('# TYPE sli:events_total:rate1h gauge');
      for (let t = now - 3600; t <= now - 60; t += 60) lines.push(`sli:events_total:rate1h{service="web",sli="puma-requests",${env}} 260 ${t}`);
      writeFileSync(join(dir, 'data.om'), `${lines.join('\n')}\n# EOF\n`);
      const tsdb = join(dir, 'data');
      mkdirSync(tsdb);
      const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), tsdb], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`backfill failed: ${r.stdout}${r.stderr}`);
      writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
      prometheus = await startPrometheus(join(dir, 'prometheus.yml'), tsdb, ['--storage.tsdb.retention.time=30d']);
    }, 120_000);
    afterAll(async () => {
      await prometheus?.stop();
    });

    it('measured utilisation, the date the trend reaches hard, and traffic against the scale', async () => {
      const r = await cliAsync(['capacity', '--scale', '10k', '--prometheus', prometheus!.url, '--format', 'json']);
      expect(r.code, `${r.stderr}\n${prometheus!.logs()}`).toBe(0);
      const report = JSON.parse(r.stdout) as { resources: { service: string; resource: string; current?: number; trendPerDay?: number; reachesHard?: string; status: string }[]; traffic: { service: string; currentPerSecond?: number }[] };
      const pg = report.resources.find((x) => x.service === 'postgres' && x.resource === 'postgres-connections')!;
      expect(pg.current).toBeCloseTo(0.8, 2);
      expect(pg.trendPerDay).toBeCloseTo(0.01, 3);
      // (0.9 − 0.8) / 1% a day = 10 days from now, give or take the last sample's age.
      const days = (Date.parse(pg.reachesHard!) - Date.parse(new Date(now * 1000).toISOString().slice(0, 10))) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(9);
      expect(days).toBeLessThanOrEqual(11);
      expect(pg.status).toBe('above-soft');
      const redis = report.resources.find((x) => x.service === 'redis' && x.resource === 'redis-memory')!;
      expect([redis.current, redis.reachesHard, redis.status]).toEqual([0.4, undefined, 'ok']);
      expect(report.resources.find((x) => x.resource === 'queue-depth')).toMatchObject({ current: 0.95, reachesHard: 'now', status: 'above-hard' });
      expect(report.traffic.find((t) => t.service === 'web')!.currentPerSecond).toBe(260);
      const md = await cliAsync(['capacity', '--scale', '10k', '--prometheus', prometheus!.url, '--format', 'markdown']);
      expect(md.stdout).toMatch(/### postgres: PostgreSQL connections\n\nPostgreSQL connections is above its soft threshold\. To add capacity:\n\n1\. Check which clients hold connections/);
      expect(md.stdout).toContain('| web | 260/s of 200/s expected (130%) |');
      expect(md.stdout).toContain('web already serves more than this size expects; plan the move to the 50k reference architecture (up to 50,000 users).');
    });

    it('an unreachable Prometheus exits 2', async () => {
      const r = await cliAsync(['capacity', '--scale', '10k', '--prometheus', 'http://127.0.0.1:1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:1/);
    });
  });
});

describe('slokit scorecard', () => {
  /** Two services: redis as bundled (level 2: no runbook steps) and a new, immature one. */
  function scorecardCatalog(): string {
    const catalog = copyCatalog();
    for (const f of ['gitaly', 'postgres', 'registry', 'sidekiq', 'web', 'webhook-relay', 'workhorse']) spawnSync('rm', [join(catalog, 'services', `${f}.yaml`)]);
    spawnSync('rm', ['-r', join(catalog, 'scales'), join(catalog, 'journeys')]); // the journeys cross the services removed
    edit(join(catalog, 'teams.yaml'), (t) => `${t}  - name: newcomers\n    chat: "#newcomers"\n    pager: newcomers-oncall\n    issue_tracker: https://example.com/issues\n`);
    writeFileSync(
      join(catalog, 'services', 'fresh.yaml'),
      'name: fresh\ndescription: A new user-facing service.\nteam: newcomers\ntier: 1\nslis:\n  - name: requests\n    kind: error-ratio\n    bad: fresh_requests_total{code=~"5.."}\n    total: fresh_requests_total\n',
    );
    return catalog;
  }

  it('a deliberately immature service fails level 1 with the right reasons; --min-level gates it', { timeout: 300_000 }, async () => {
    const catalog = scorecardCatalog();
    const r = await cliAsync(['scorecard', '--catalog', catalog, '--min-level', '1']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('below level 1: fresh (level 0)');
    expect(r.stdout).toMatch(/^fresh +level 0\/3 none +\(team newcomers\)$/m);
    expect(r.stdout).toContain('  missing  L1 objectives: SLIs on the tier default: requests\n           fix: write objective: on each of them in services/fresh.yaml');
    expect(r.stdout).toContain('  missing  L2 escalation: team newcomers names no escalation (pages fall back to newcomers-oncall)');
    expect(r.stdout).toContain('  missing  L2 availability-and-latency: fresh has no latency SLI');
    expect(r.stdout).toContain('  missing  L2 runbook-steps: no remediation steps for: requests');
    expect(r.stdout).toContain('  missing  L2 dependencies: dependencies are not declared');
    expect(r.stdout).toContain('  missing  L3 saturation: no saturation resources');
    expect(r.stdout).toContain('  missing  L3 sdk: no SLI reads the SDK\'s standard metrics');
    // redis meets level 1 (its alert tests really ran and passed) and shows its skip reason.
    expect(r.stdout).toMatch(/^redis +level 1\/3 Observed +\(team data-stores\)$/m);
    expect(r.stdout).toContain('  skipped  L3 sdk: Redis is third-party software; redis_exporter exposes its metrics.');
    expect(r.stdout).not.toMatch(/redis[\s\S]*alert-tests/);
    const json = await cliAsync(['scorecard', '--catalog', catalog, '--format', 'json', '--no-alert-tests']);
    expect(json.code).toBe(0);
    const scores = JSON.parse(json.stdout) as { services: { service: string; level: number; results: { criterion: string; status: string; detail: string }[] }[] };
    expect(scores.services.map((s) => [s.service, s.level])).toEqual([['fresh', 0], ['redis', 0]]);
    expect(scores.services[1]!.results.find((x) => x.criterion === 'alert-tests')).toMatchObject({ status: 'missing', detail: 'not checked (--no-alert-tests)' });
  });

  it('a skip without a real reason and an unknown criterion are located errors; markdown marks what is missing', { timeout: 300_000 }, async () => {
    const catalog = scorecardCatalog();
    edit(join(catalog, 'services', 'fresh.yaml'), (t) => `${t}maturity:\n  skip:\n    sdk: short\n    sdkk: A reason long enough to pass.\n`);
    const r = cli(['validate', '--catalog', catalog]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fresh\.yaml:\d+:\d+: error: skipping "sdk" needs a written reason \(at least 10 characters\); the scorecard shows it/);
    expect(r.stderr).toMatch(/fresh\.yaml:\d+:\d+: error: "sdkk" is not a maturity criterion\n {2}fix: did you mean "sdk"\?/);
    edit(join(catalog, 'services', 'fresh.yaml'), (t) => t.replace(/maturity:[\s\S]*$/, 'objective: 99.5\n'));
    edit(join(catalog, 'services', 'fresh.yaml'), (t) => t.replace('objective: 99.5\n', '').replace('    total: fresh_requests_total\n', '    total: fresh_requests_total\n    objective: 99.5\n'));
    const md = await cliAsync(['scorecard', '--catalog', catalog, '--format', 'markdown', '--no-alert-tests']);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^\| fresh \| newcomers \| 0 none \| yes \| yes \| \*\*no\*\* \| yes \|/m);
    expect(md.stdout).toContain('- Missing **alert-tests** (level 1): not checked (--no-alert-tests). Fix: run slokit scorecard without --no-alert-tests');
  });
});
