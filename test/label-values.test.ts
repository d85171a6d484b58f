/** Test-series synthesis: label values that really satisfy (or avoid) catalog matchers. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toYaml } from '../generators/emit/yaml-text.js';
import { matchersText, seriesText } from '../generators/promql/escape.js';
import { parseSelector } from '../generators/promql/parse.js';
import { PROMTOOL_MISSING, promtoolAvailable } from '../generators/promtool.js';
import { scratchDir } from './helpers/catalog.js';
import { goFormatG, goQueryEscape } from '../generators/emit/annotation-values.js';
import { encodeValues } from '../generators/emit/promtool-tests/input-series.js';
import { labelsFor, matches, regexExample } from '../generators/promql/label-values.js';

describe('regexExample', () => {
  it.each([
    ['5..', /^5..$/],
    ['Unknown|Internal|Unavailable', /^(Unknown|Internal|Unavailable)$/],
    ['^/-/(health|readiness|liveness)$', /^\/-\/(health|readiness|liveness)$/],
    ['[a-z]+_v[0-9]{2}', /^[a-z]+_v[0-9]{2}$/],
    ['.*/blobs/.*', /^.*\/blobs\/.*$/],
  ])('%s', (re, check) => {
    expect(regexExample(re)).toMatch(check);
  });
});

describe('labelsFor', () => {
  it('satisfies every matcher and keeps base labels', () => {
    const l = labelsFor(
      [
        { label: 'job', op: '=', value: 'gitaly' },
        { label: 'grpc_code', op: '=~', value: 'Unknown|Internal' },
        { label: 'route', op: '!~', value: '^/-/.*' },
      ],
      { env: 'production' },
    )!;
    expect(l).toEqual({ env: 'production', job: 'gitaly', grpc_code: 'Unknown', route: 'test' });
  });

  it('finds a series the total selects but the bad selector does not', () => {
    const l = labelsFor([{ label: 'job', op: '=', value: 'x' }], {}, [{ label: 'code', op: '=~', value: '5..' }])!;
    expect(l.job).toBe('x');
    expect(matches({ label: 'code', op: '=~', value: '5..' }, l.code ?? '')).toBe(false);
  });

  it('gives up (undefined) on contradictory matchers', () => {
    expect(labelsFor([{ label: 'a', op: '=', value: 'x' }, { label: 'a', op: '!=', value: 'x' }], {})).toBeUndefined();
  });
});

describe('promtool series notation', () => {
  it('compresses runs of equal steps', () => {
    expect(encodeValues([0, 10, 20, 30, 30, 30, 31])).toBe('0+10x3 30+0x1 31');
    expect(encodeValues([0, 1])).toBe('0+1x1');
  });
});

describe('Go template functions we render for expectations', () => {
  it('humanizePercentage is %.4g', () => {
    expect(goFormatG(100, 4)).toBe('100');
    expect(goFormatG(0.44999999999999996, 4)).toBe('0.45');
    expect(goFormatG(12345.6, 4)).toBe('1.235e+04');
    expect(goFormatG(0.00001234, 4)).toBe('1.234e-05');
  });
  it('urlquery is url.QueryEscape', () => {
    expect(goQueryEscape('a b&c/d')).toBe('a+b%26c%2Fd');
  });
});

describe('regex matching is Prometheus\' own (RE2), checked by promtool', () => {
  // Patterns real catalogs hold that JavaScript reads differently, or cannot read at all.
  const patterns = [
    '/v2/{name}/manifests/{reference}',
    '/v2/[^/]+/manifests/{reference}',
    '(?i)get|post',
    '(?i:GET)',
    '\\pL+',
    '\\p{Greek}+',
    'x{2,}',
    '{',
    'a{,2}',
    '5..|429',
    '[[:alpha:]]+',
    '\\Qa.b\\E',
    '(?U)a+',
    '.*',
    '',
    'a|',
  ];
  const values = ['/v2/{name}/manifests/{reference}', '/v2/x/manifests/{reference}', '/v2/x/manifests/latest', 'GET', 'get', 'Post', 'héllo', 'αβγ', 'x', 'xxx', '{', 'a{,2}', 'aa', '500', '429', 'abc', 'a.b', 'axb', 'a', ''];

  /** promtool's verdict on predictions of which values each pattern selects, with =~ and !~. */
  function promtoolVerdict(predict: (pattern: string, value: string) => boolean): string {
    const dir = scratchDir('slokit-re2-');
    writeFileSync(join(dir, 'empty.yml'), 'groups: []\n');
    const input_series = values.map((v, i) => ({ series: seriesText('probe', { i: String(i), v }), values: '1' }));
    const promql_expr_test = patterns.flatMap((p) =>
      (['=~', '!~'] as const).map((op) => ({
        expr: `probe${matchersText([{ label: 'v', op, value: p }])}`,
        eval_time: '0m',
        exp_samples: values
          .map((v, i) => ({ v, i }))
          .filter(({ v }) => predict(p, v) === (op === '=~'))
          .map(({ v, i }) => ({ labels: seriesText('probe', { i: String(i), v }), value: 1 })),
      })),
    );
    writeFileSync(join(dir, 'test.yml'), toYaml({ rule_files: ['empty.yml'], tests: [{ interval: '1m', input_series, promql_expr_test }] }));
    const r = spawnSync('promtool', ['test', 'rules', 'test.yml'], { cwd: dir, encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`;
  }

  it('every prediction of which values a pattern matches is what promtool evaluates; JavaScript\'s would not be', () => {
    expect(promtoolAvailable(), PROMTOOL_MISSING).toBe(true);
    expect(promtoolVerdict((p, v) => matches({ label: 'v', op: '=~', value: p }, v))).toMatch(/^\s*SUCCESS/m);
    const javascript = (p: string, v: string) => {
      try {
        return new RegExp(`^(?:${p})$`, 'u').test(v);
      } catch {
        return false;
      }
    };
    expect(promtoolVerdict(javascript)).toMatch(/^\s*FAILED/m);
  });

  it('a regex Prometheus cannot compile is a located catalog error, not a test that mispredicts', () => {
    const r = parseSelector('http_requests_total{route=~"/api/(?!health)"}');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/regex of route is not one Prometheus accepts \(RE2: .*\(\?!/);
  });
});
