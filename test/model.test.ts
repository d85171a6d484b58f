/** The SLO math of the model: factors, thresholds, exact decimals, defaults. */
import { describe, expect, it } from 'vitest';
import { clean, formatNumber } from '../generators/model/decimal.js';
import { parseDuration } from '../generators/model/duration.js';
import { burnFactor } from '../generators/model/policy.js';
import { loadModel } from '../generators/pipeline.js';
import { copyCatalog, edit } from './helpers/catalog.js';
import { join } from 'node:path';

const d = (s: string) => parseDuration(s)!;

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
      total: { metric: 'http_server_request_duration_seconds_count', matchers: [{ label: 'job', op: '=', value: 'webhook-relay' }, { label: 'http_route', op: '!~', value: '/-/.*' }] },
      bad: {
        metric: 'http_server_request_duration_seconds_count',
        matchers: [{ label: 'job', op: '=', value: 'webhook-relay' }, { label: 'http_route', op: '!~', value: '/-/.*' }, { label: 'http_response_status_code', op: '=~', value: '5..' }],
      },
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
    edit(join(dir, 'services', 'redis.yaml'), (t) => t.replace('objective: 99.9', 'objective: 99.9\n    period: 28d'));
    const s = loadModel(dir).model!.services.find((x) => x.name === 'redis')!.slis[0]!;
    expect(s.alerts.map((a) => a.factor).slice(0, 3)).toEqual([13.44, 5.6, 2.8]);
  });
});
