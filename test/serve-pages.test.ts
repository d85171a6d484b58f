/**
 * The pure parts of slokit serve: how readings become states and order, what the filters
 * match, how runbook Markdown becomes HTML, and what may reach a script element.
 */
import { describe, expect, it } from 'vitest';
import { loadModel } from '../generators/pipeline.js';
import { detailView, listView, matchesFilter, pageRenderer, scriptJson } from '../generators/serve/pages.js';
import { markdownToRunbookPage, runbookPages } from '../generators/serve/runbook-html.js';
import { snapshotOf } from '../generators/serve/slo-status.js';
import { BUNDLED_CATALOG } from './helpers/catalog.js';

const model = loadModel(BUNDLED_CATALOG).model!;
const k = (service: string, sli: string) => `${service}\u0000${sli}`;
const none = { env: '', team: '', tier: '', state: '', q: '' };

function readings(budget: Record<string, number>, burn: Record<string, Record<string, number>> = {}) {
  const burnMaps = new Map<string, Map<string, number>>();
  for (const [sli, windows] of Object.entries(burn))
    for (const [w, v] of Object.entries(windows)) {
      const m = burnMaps.get(w) ?? new Map<string, number>();
      m.set(sli, v);
      burnMaps.set(w, m);
    }
  return { budget: new Map(Object.entries(budget)), availability: new Map(), burn: burnMaps, alerts: [] };
}

describe('SLO states and order', () => {
  it('burning (both windows of a pair above its factor, budget or not), exhausted, at risk, healthy, no data; burning first, then worst budget first', () => {
    const snap = snapshotOf(
      model,
      0,
      readings(
        { [k('redis', 'commands')]: 0, [k('gitaly', 'grpc-requests')]: 0.9, [k('web', 'puma-requests')]: 0.2, [k('registry', 'requests')]: 0.5, [k('sidekiq', 'jobs')]: 0.6, [k('workhorse', 'requests')]: -0.3 },
        // gitaly: 1h and 5m above 14.4 burns; sidekiq: only the long window is above, which is not
        // burning; workhorse: spent and still burning, which is what the responder acts on.
        { [k('gitaly', 'grpc-requests')]: { '1h': 15, '5m': 20 }, [k('sidekiq', 'jobs')]: { '1h': 15, '5m': 2 }, [k('workhorse', 'requests')]: { '6h': 7, '30m': 9 } },
      ),
    );
    expect(snap.rows.slice(0, 6).map((r) => `${r.service}/${r.sli}:${r.state}`)).toEqual([
      'workhorse/requests:burning',
      'gitaly/grpc-requests:burning',
      'redis/commands:exhausted',
      'web/puma-requests:at-risk',
      'registry/requests:healthy',
      'sidekiq/jobs:healthy',
    ]);
    expect(snap.rows.slice(6).every((r) => r.state === 'no-data')).toBe(true);
    expect(snap.error).toBeUndefined();
  });

  it("names the likely cause: a dependency whose burn or saturation page fires, on a burning SLO's row and its detail page", () => {
    const alert = (alertname: string, service: string, severity: string, extra: Record<string, string> = {}) => ({ metric: { __name__: 'ALERTS', alertname, alertstate: 'firing', severity, service, ...extra }, value: [0, '1'] as [number, string] });
    const base = readings({ [k('registry', 'requests')]: 0.5, [k('gitaly', 'grpc-requests')]: 0.5 }, { [k('registry', 'requests')]: { '1h': 15, '5m': 20 } });
    const snap = snapshotOf(model, 0, {
      ...base,
      alerts: [
        alert('SlokitErrorBudgetBurnFast', 'postgres', 'critical', { sli: 'transactions', long: '1h', short: '5m' }),
        // Neither a ticket nor a vanished page is a cause.
        alert('SlokitErrorBudgetBurnSlow', 'redis', 'warning', { sli: 'commands', long: '1d', short: '2h' }),
        alert('SlokitSLIVanished', 'redis', 'critical', { sli: 'commands', long: '6h', short: '5m' }),
      ],
    } as never);
    const registry = snap.rows.find((r) => r.service === 'registry' && r.sli === 'requests')!;
    expect(registry.state).toBe('burning');
    expect(registry.likelyCause).toEqual(['postgres']);
    // gitaly depends on nothing; a healthy SLO of a dependent has no cause to name.
    expect(snap.rows.find((r) => r.service === 'gitaly')!.likelyCause).toEqual([]);
    expect(snap.rows.find((r) => r.service === 'web' && r.state !== 'burning')!.likelyCause).toEqual([]);
    const render = pageRenderer((name) => `/assets/${name}`);
    const list = render('list', listView(model, snap, 'http://p', none));
    expect(list).toContain('<div class="likely-cause">likely cause: <a href="/runbooks/postgres">postgres</a> paging</div>');
    expect(list.match(/class="likely-cause"/g)).toHaveLength(1);
    // A firing burn page is burning even before the period's budget has a value (a new SLO).
    expect(snap.rows.find((r) => r.service === 'postgres' && r.sli === 'transactions')).toMatchObject({ state: 'burning', budgetRemaining: null });
    const detail = render('detail', detailView(model, snap, 'http://p', { slo: registry, objectiveText: '', badEvents: '', range: '1d', dependencies: [], serviceAlerts: [], charts: undefined }));
    expect(detail).toContain('Likely cause: <a href="/runbooks/postgres">postgres</a>, a dependency of registry, is paging.');
  });

  it('without readings every SLO is unknown, sorted by name, and the error is kept', () => {
    const snap = snapshotOf(model, 0, undefined, 'cannot reach Prometheus at http://x: ECONNREFUSED');
    expect(snap.error).toBe('cannot reach Prometheus at http://x: ECONNREFUSED');
    expect(new Set(snap.rows.map((r) => r.state))).toEqual(new Set(['unknown']));
    expect(snap.rows.map((r) => `${r.service}/${r.sli}`)).toEqual([...snap.rows.map((r) => `${r.service}/${r.sli}`)].sort());
  });

  it('filters: team and tier exactly, text in names, team, kind, description and firing alerts, any case', () => {
    const rows = snapshotOf(model, 0, readings({})).rows;
    const names = (f: Partial<typeof none>) => rows.filter((r) => matchesFilter(r, { ...none, ...f })).map((r) => `${r.service}/${r.sli}`);
    expect(names({ team: 'data-stores' })).toEqual(['postgres/transactions', 'redis/commands']);
    expect(names({ team: 'data' })).toEqual([]);
    expect(names({ tier: '2', q: ' JOB ' })).toEqual(['sidekiq/job-execution', 'sidekiq/jobs', 'webhook-relay/deliveries']);
    expect(names({ q: 'apdex' })).toEqual(['workhorse/request-apdex']);
  });

  it('says when Prometheus answers but holds no recorded series, and only then', () => {
    const render = pageRenderer((name) => `/assets/${name}`);
    expect(render('list', listView(model, snapshotOf(model, 0, readings({})), 'http://p', none))).toContain('id="no-recorded-series"');
    expect(render('list', listView(model, snapshotOf(model, 0, readings({ [k('redis', 'commands')]: 0.5 })), 'http://p', none))).not.toContain('id="no-recorded-series"');
    expect(render('list', listView(model, snapshotOf(model, 0, undefined, 'down'), 'http://p', none))).not.toContain('id="no-recorded-series"');
  });
});

describe('runbooks as HTML', () => {
  it('headings get GitHub-style ids (repeats numbered), links between runbooks lead to served pages', () => {
    const page = markdownToRunbookPage('# web runbook\n\n## Alerts\n\n### puma burn fast\n\n## Alerts\n\nSee [gitaly](gitaly.md#grpc-burn-fast), [all](README.md), [x](other.md) and [site](https://example.com/a?b=1&c=2).\n', new Map([['gitaly.md', 'gitaly'], ['README.md', '']]));
    expect(page.headings.map((h) => `${h.level}:${h.id}`)).toEqual(['1:web-runbook', '2:alerts', '3:puma-burn-fast', '2:alerts-1']);
    expect(page.html).toContain('<a href="/runbooks/gitaly#grpc-burn-fast">gitaly</a>');
    expect(page.html).toContain('<a href="/runbooks">all</a>');
    expect(page.html).toContain('<a href="other.md">x</a>');
    expect(page.html).toContain('<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">site</a>');
    expect(page.title).toBe('web runbook');
  });

  it('raw HTML stays text and dangerous link protocols are dropped', () => {
    const page = markdownToRunbookPage('## <script>alert(1)</script> x\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n');
    expect(page.html).not.toMatch(/<script|<img/);
    expect(page.html).toContain('&lt;script&gt;');
    expect(page.html).not.toContain('javascript:');
    expect(page.headings[0]!.id).toBe('scriptalert1script-x');
  });

  it('every bundled runbook renders, the index links to each service', () => {
    const pages = runbookPages(model);
    for (const s of model.services) expect(pages.get(s.name)!.headings[0]!.text).toBe(`${s.name} runbook`);
    const index = pages.get('')!;
    for (const s of model.services) expect(index.html).toContain(`href="/runbooks/${s.name}"`);
    expect(pages.get('nope')).toBeUndefined();
  });
});

describe('chart data in a script element', () => {
  it('no string can close the element or break the line', () => {
    const text = scriptJson({ name: '</script><script>alert(1)</script>', sep: '\u2028\u2029' });
    expect(text).not.toMatch(/<|\u2028|\u2029/);
    expect(JSON.parse(text)).toEqual({ name: '</script><script>alert(1)</script>', sep: '\u2028\u2029' });
  });
});
