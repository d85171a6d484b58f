/** The SLO math of the model: factors, thresholds, exact decimals, defaults. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clean, formatNumber, writtenNumber } from '../generators/model/decimal.js';
import { parseDuration } from '../generators/model/duration.js';
import { burnFactor } from '../generators/model/policy.js';
import { loadModel } from '../generators/pipeline.js';
import { generatePack } from '../generators/emit/pack.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as fs from 'node:fs';

const d = (s: string) => parseDuration(s)!;


/** A catalog alert policy with these burn windows (flow-style YAML rows), the default evaluation but for its fast interval. */
function policyYaml(name: string, fastInterval: string, windows: readonly string[]): string {
  return [
    `name: ${name}`,
    `evaluation: { raw_window: 5m, fast_interval: ${fastInterval}, slow_interval: 5m, fast_windows_up_to: 1h }`,
    'windows:',
    ...windows.map((w) => `  - ${w}`),
    'traffic_cessation: { silence: 30m, baseline: 6h, min_expected_events: 50 }',
    '',
  ].join('\n');
}

describe('burn-rate factors (DESIGN.md table)', () => {
  it('30d: 14.4, 6, 3, 1', () => {
    expect([burnFactor(0.02, d('30d'), d('1h')), burnFactor(0.05, d('30d'), d('6h')), burnFactor(0.1, d('30d'), d('1d')), burnFactor(0.1, d('30d'), d('3d'))]).toEqual([14.4, 6, 3, 1]);
  });
  it('28d: 13.44, 5.6, 2.8, 0.933…', () => {
    expect([burnFactor(0.02, d('28d'), d('1h')), burnFactor(0.05, d('28d'), d('6h')), burnFactor(0.1, d('28d'), d('1d'))]).toEqual([13.44, 5.6, 2.8]);
    expect(burnFactor(0.1, d('28d'), d('3d'))).toBeCloseTo(0.9333333, 6);
  });
});

describe('exact decimals', () => {
  it('budgets and thresholds read as a person writes them', () => {
    expect(clean(1 - 0.999)).toBe(0.001);
    expect(formatNumber(14.4 * 0.001)).toBe('0.0144');
    expect(formatNumber(clean((100 - 99.95) / 100))).toBe('0.0005');
    expect(formatNumber(1e-7)).toBe('0.0000001');
  });
  it('writtenNumber is the number formatNumber writes, at every size (integers, tiny, huge, signs, non-finite)', () => {
    const same = (x: number) => {
      const text = Number(formatNumber(x));
      // -0 is written "0": either zero reads the same wherever the number is written.
      return Object.is(writtenNumber(x), text) || (writtenNumber(x) === 0 && text === 0);
    };
    for (const x of [0, -0, 1, -1, 0.1 + 0.2, 1e-6, 9.99999e-7, 1e-7, 1.5e-7, 1e21, 1e22, 123456789012.5, Infinity, -Infinity, NaN]) expect(same(x), String(x)).toBe(true);
    fc.assert(fc.property(fc.double({ noNaN: false }), same), { numRuns: 20_000 });
    fc.assert(fc.property(fc.double({ min: -2, max: 2 }), fc.integer({ min: -12, max: 12 }), (m, e) => same(m * 10 ** e)), { numRuns: 20_000 });
  });
  it('window names stay as declared', () => {
    expect(d('28d').text).toBe('28d');
    expect(d('4w').seconds).toBe(28 * 86400);
  });
});

describe('the model of the bundled catalog', () => {
  const { model } = loadModel(copyCatalog());
  const sli = (service: string, name: string) => model!.services.find((s) => s.name === service)!.slis.find((x) => x.name === name)!;

  it('applies objectives, budgets and the default policy', () => {
    const s = sli('registry', 'requests');
    expect(s.objective).toBe(0.999);
    expect(s.errorBudget).toBe(0.001);
    expect(s.alerts.map((a) => [a.name, a.severity, a.long.text, a.short.text, a.factor, a.threshold])).toEqual([
      ['fast', 'critical', '1h', '5m', 14.4, 0.0144],
      ['moderate', 'critical', '6h', '30m', 6, 0.006],
      ['slow', 'warning', '1d', '2h', 3, 0.003],
      ['gradual', 'warning', '3d', '6h', 1, 0.001],
    ]);
  });

  it('binds the standard http kind to the SDK metric contract', () => {
    const s = sli('webhook-relay', 'api');
    expect(s.events).toEqual({
      type: 'counters',
      total: [{ metric: 'http_server_request_duration_seconds_count', matchers: [{ label: 'job', op: '=', value: 'webhook-relay' }, { label: 'http_route', op: '!~', value: '/-/.*' }] }],
      bad: [
        {
          metric: 'http_server_request_duration_seconds_count',
          matchers: [{ label: 'job', op: '=', value: 'webhook-relay' }, { label: 'http_route', op: '!~', value: '/-/.*' }, { label: 'http_response_status_code', op: '=~', value: '5..' }],
        },
      ],
    });
  });

  it('a tier that does not page turns critical rows into warnings', () => {
    const dir = copyCatalog();
    edit(join(dir, 'services', 'redis.yaml'), (t) => t.replace('tier: 2', 'tier: 3'));
    const redis = loadModel(dir).model!.services.find((s) => s.name === 'redis')!;
    expect(redis.slis[0]!.alerts.map((a) => a.severity)).toEqual(['warning', 'warning', 'warning', 'warning']);
    expect(redis.slis[0]!.objective).toBe(0.999); // declared objective wins over the tier's 99
  });

  it('derives factors from a per-SLI period override', () => {
    const dir = copyCatalog();
    edit(join(dir, 'services', 'redis.yaml'), (t) => t.replace('objective: 99.9', 'objective: 99.9\n    period: 28d\n    alert_policy: four-weeks'));
    const s = loadModel(dir).model!.services.find((x) => x.name === 'redis')!.slis[0]!;
    expect(s.alerts.map((a) => a.factor)).toEqual([13.44, 5.6, 2.8, 1.02666666667]);
  });

  it('refuses a period that would make an alert fire while the objective is met (factor below 1)', () => {
    const dir = copyCatalog();
    edit(join(dir, 'defaults.yaml'), (t) => t.replace(/^period: 30d/m, 'period: 28d'));
    const { model, problems } = loadModel(dir);
    expect(model).toBeUndefined();
    expect(problems, 'reported once, where the period is set, not once per SLI').toHaveLength(1);
    expect(problems[0]!.file).toMatch(/defaults\.yaml$/);
    expect(problems[0]!.line).toBe(3);
    expect(problems[0]!.message).toMatch(/28d period the gradual alert .* fires at 0\.93x the sustainable burn rate/);
    expect(problems[0]!.hint).toMatch(/at least 30d.*10\.72% of the budget.*four-weeks/);
  });
});

describe('alert policy overrides', () => {
  it('a catalog policy can be chosen per SLI; a catalog file named like a bundled policy shadows it', () => {
    const dir = copyCatalog();
    const { mkdirSync, writeFileSync } = fs;
    mkdirSync(join(dir, 'policies'));
    writeFileSync(
      join(dir, 'policies', 'pages-only.yaml'),
      policyYaml('pages-only', '30s', ['{ name: fast, severity: critical, budget_spent: 0.02, long: 1h, short: 5m }']),
    );
    edit(join(dir, 'services', 'redis.yaml'), (t) => t.replace('objective: 99.9', 'objective: 99.9\n    alert_policy: pages-only'));
    const { model, problems } = loadModel(dir);
    expect(problems).toEqual([]);
    const s = model!.services.find((x) => x.name === 'redis')!.slis[0]!;
    expect(s.policyName).toBe('pages-only');
    expect(s.alerts.map((a) => a.name)).toEqual(['fast']);
    expect(s.evaluation.fastInterval.text).toBe('30s');
    expect(s.trafficCessation.minExpectedEvents).toBe(50);
    // Shadow the bundled default for the whole catalog.
    writeFileSync(join(dir, 'policies', 'default.yaml'), fs.readFileSync(join(dir, 'policies', 'pages-only.yaml'), 'utf8').replace('name: pages-only', 'name: default'));
    const shadowed = loadModel(dir).model!;
    expect(shadowed.services.find((x) => x.name === 'registry')!.slis[0]!.alerts.map((a) => a.name)).toEqual(['fast']);
  });

  it('windows in compound Prometheus durations (Pyrra writes 1h30m for a 1w period) validate, and their rules pass promtool check', async () => {
    expect([d('1h30m').seconds, d('1d12h').seconds, d('2h30m').seconds]).toEqual([5400, 129600, 9000]);
    expect(['1m1h', '0m', '', '1h 30m', '90'].map((t) => parseDuration(t))).toEqual([undefined, undefined, undefined, undefined, undefined]);
    const dir = copyCatalog();
    fs.mkdirSync(join(dir, 'policies'));
    fs.writeFileSync(
      join(dir, 'policies', 'pyrra-1w.yaml'),
      policyYaml('pyrra-1w', '1m', ['{ name: fast, severity: critical, budget_spent: 0.02, long: 1h30m, short: 5m }', '{ name: slow, severity: warning, budget_spent: 0.3, long: 1d12h, short: 2h30m }']),
    );
    edit(join(dir, 'services', 'redis.yaml'), (t) => t.replace('objective: 99.9', 'objective: 99.9\n    period: 1w\n    alert_policy: pyrra-1w'));
    const { model, problems } = loadModel(dir);
    expect(problems).toEqual([]);
    const s = model!.services.find((x) => x.name === 'redis')!.slis[0]!;
    expect(s.alerts.map((a) => [a.long.text, a.short.text])).toEqual([['1h30m', '5m'], ['1d12h', '2h30m']]);
    const pack = await generatePack(model!);
    const rules = pack.files.get('prometheus/rules/redis.yml')!;
    expect(rules).toContain('sli:error:ratio_rate1h30m');
    const out = scratchDir('slokit-compound-');
    fs.writeFileSync(join(out, 'redis.yml'), rules);
    const check = spawnSync('promtool', ['check', 'rules', 'redis.yml'], { cwd: out, encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  });

  it('an unknown policy is a located error with a suggestion', () => {
    const dir = copyCatalog();
    edit(join(dir, 'services', 'redis.yaml'), (t) => t.replace('tier: 2', 'tier: 2\nalert_policy: defualt'));
    const { problems } = loadModel(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe('alert policy "defualt" not found');
    expect(problems[0]!.hint).toMatch(/did you mean "default"/);
    expect([problems[0]!.line, problems[0]!.col]).toEqual([6, 15]);
  });
});
