/** Test-series synthesis: label values that really satisfy (or avoid) catalog matchers. */
import { describe, expect, it } from 'vitest';
import { goFormatG, goQueryEscape } from '../generators/emit/annotation-values.js';
import { encodeValues } from '../generators/emit/promtool-tests/input-series.js';
import { labelsFor, matches, regexExample } from '../generators/emit/promtool-tests/label-values.js';

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
