/**
 * User journeys: every mistake in catalog/journeys/ located with its fix; the rules and alerts
 * of journeys inside journeys proven by their generated promtool tests, which must fail when the
 * rules are changed; the weighting semantics against a direct sum.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePack } from '../generators/emit/pack.js';
import { combineJourney, journeyLeaves, journeyWindows } from '../generators/model/journeys.js';
import { burnsText, componentLabel, journeyAlerts } from '../generators/emit/journeys/alerts.js';
import { resolveComponents } from '../generators/emit/journeys/read.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPrometheus, startServe } from './helpers/processes.js';
import { loadModel } from '../generators/pipeline.js';
import { promtoolAsync, promtoolVersion } from '../generators/promtool.js';
import { testPack } from '../generators/test-pack.js';
import { partsByJourney } from '../generators/emit/journeys/test-parts.js';
import type { GroupObject } from '../generators/emit/promtool-tests/rule-slice.js';
import { parse, stringify } from 'yaml';
import { formatProblem, type Problem } from '../generators/validate/problems.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, ROOT, scratchDir } from './helpers/catalog.js';

const journeyFile = (dir: string, name: string) => join(dir, 'journeys', `${name}.yaml`);

function withJourneys(files: Record<string, string>, change?: (dir: string) => void): { dir: string; problems: Problem[]; model: ReturnType<typeof loadModel>['model'] } {
  const dir = copyCatalog();
  for (const [name, text] of Object.entries(files)) writeFileSync(journeyFile(dir, name), text);
  change?.(dir);
  const r = loadModel(dir);
  return { dir, problems: r.problems, model: r.model };
}

const journey = (name: string, components: string, extra = '') => `name: ${name}\ndescription: d\nteam: gitaly\nobjective: 99.5\n${extra}components:\n${components}`;
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function only(problems: Problem[], pattern: RegExp): Problem {
  const hits = problems.filter((p) => pattern.test(p.message));
  expect(hits, problems.map(formatProblem).join('\n')).toHaveLength(1);
  return hits[0]!;
}

describe('journey validation: located, with the fix', () => {
  it('an unknown service or SLI, with the near name', () => {
    const text = journey('j', '  - { service: gitaly, sli: grpc-request }\n  - { service: registri, sli: requests }\n');
    const { problems } = withJourneys({ j: text });
    const sli = only(problems, /service "gitaly" has no SLI "grpc-request"/);
    expect(formatProblem(sli)).toMatch(new RegExp(`journeys/j\\.yaml:${lineOf(text, 'grpc-request }')}:\\d+: error: `));
    expect(sli.hint).toMatch(/did you mean "grpc-requests"/);
    const service = only(problems, /service "registri" is not in the catalog/);
    expect([service.line, service.hint]).toEqual([lineOf(text, 'registri'), expect.stringContaining('did you mean "registry"')]);
  });

  it('a period other than a component\'s, and a policy whose windows a component does not record', () => {
    const text = journey('j', '  - { service: gitaly, sli: grpc-requests }\n  - { service: registry, sli: requests }\n', 'period: 28d\nalert_policy: four-weeks\n');
    const { problems } = withJourneys({ j: text });
    const hits = problems.filter((p) => /has a 30d period and the journey 28d/.test(p.message));
    expect(hits.map((h) => h.line)).toEqual([lineOf(text, 'service: gitaly'), lineOf(text, 'service: registry')]);
    expect(hits[0]!.hint).toMatch(/period: 30d/);
    // A policy of the catalog's own whose slowest ticket looks back 4 days, which no SLI records.
    const windows = withJourneys({ j: journey('j', '  - { service: gitaly, sli: grpc-requests }\n  - { service: registry, sli: requests }\n', 'alert_policy: wide\n') }, (dir) => {
      mkdirSync(join(dir, 'policies'), { recursive: true });
      writeFileSync(join(dir, 'policies', 'wide.yaml'), readFileSync(join(ROOT, 'alerts', 'policies', 'default.yaml'), 'utf8').replace('name: default', 'name: wide').replace('long: 3d', 'long: 4d'));
    }).problems;
    expect(windows.length, windows.map(formatProblem).join('\n')).toBeGreaterThan(0);
    expect(windows.map((p) => [p.message.replace(/^\S+ /, ''), p.hint])).toEqual([0, 1].map(() => ['does not record the 4d window(s) the journey reads', "give the journey the SLI's alert policy (alert_policy: default)"]));
  });

  it('weights of zero or less, a component named twice or half-named, an unknown team', () => {
    const text = journey('j', '  - { service: gitaly, sli: grpc-requests, weight: 0 }\n  - { service: registry, sli: requests, weight: -2 }\n  - { service: registry }\n  - { service: gitaly, sli: grpc-requests, journey: k }\n');
    const { problems } = withJourneys({ j: text });
    const weights = problems.filter((p) => /weight/.test(`${p.message} ${p.file}`) && /greater than 0|> 0|exclusiveMinimum|must be/.test(p.message));
    expect(weights.map((p) => p.line).sort()).toEqual([lineOf(text, 'weight: 0'), lineOf(text, 'weight: -2')].sort());
    const fixed = text.replace('weight: 0', 'weight: 1').replace('weight: -2', 'weight: 2');
    const next = withJourneys({ j: fixed.replace('team: gitaly', 'team: gitally') }).problems;
    expect(only(next, /a component names no sli/).line).toBe(lineOf(fixed, '{ service: registry }'));
    expect(only(next, /names a journey, or a service and its SLI, not both/).line).toBe(lineOf(fixed, 'journey: k'));
    expect(only(next, /team "gitally" is not in teams.yaml/).hint).toMatch(/did you mean "gitaly"/);
    const twice = withJourneys({ j: journey('j', '  - { service: gitaly, sli: grpc-requests }\n  - { service: gitaly, sli: grpc-requests, weight: 2 }\n') }).problems;
    expect(only(twice, /listed twice/).hint).toMatch(/weight/);
  });

  it('journeys that contain each other, an unknown journey, and an events journey over a components one', () => {
    const a = journey('a', '  - { journey: b }\n  - { service: gitaly, sli: grpc-requests }\n');
    const b = journey('b', '  - { journey: a }\n  - { service: registry, sli: requests }\n', 'weighting: components\n');
    const c = journey('c', '  - { journey: nope }\n  - { journey: b }\n');
    const { problems } = withJourneys({ a, b, c });
    const cycle = only(problems, /journeys contain each other: a -> b -> a/);
    expect([cycle.file.endsWith('a.yaml'), cycle.line]).toEqual([true, lineOf(a, 'journey: b')]);
    expect(only(problems, /journey "nope" is not in journeys\//).file).toMatch(/c\.yaml$/);
    const mixed = problems.filter((p) => /weighted by components, so it has no events/.test(p.message));
    expect(mixed.map((p) => p.file.replace(/.*\//, ''))).toEqual(['a.yaml', 'c.yaml']);
  });

  it('a file name other than the journey\'s name; a journey containing itself; a schema mistake', () => {
    const { problems } = withJourneys({ x: journey('y', '  - { journey: y }\n  - { service: gitaly, sli: grpc-requests }\n'), z: 'name: z\ndescription: d\nteam: gitaly\nobjective: 120\ncomponents: []\n' });
    expect(only(problems, /journey "y" is in a file named "x.yaml"/).hint).toMatch(/rename the file to y\.yaml/);
    expect(problems.some((p) => p.file.endsWith('z.yaml') && p.line === 4)).toBe(true);
    expect(problems.some((p) => p.file.endsWith('z.yaml') && p.line === 5)).toBe(true);
  });

  it('the bundled journeys validate', () => {
    const r = loadModel(copyCatalog());
    expect(r.problems.map(formatProblem)).toEqual([]);
    expect(r.model!.journeys.map((j) => [j.name, j.weighting, j.components.length])).toEqual([
      ['git-push-https', 'events', 3],
      ['webhook-delivery', 'components', 3],
    ]);
  });
});

describe('combineJourney: the definition the rules implement', () => {
  const model = loadModel(copyCatalog()).model!;
  const events = model.journeys.find((j) => j.weighting === 'events')!;
  const components = model.journeys.find((j) => j.weighting === 'components')!;
  it('events weighting is the ratio of weighted sums; components weighting the weighted mean of ratios over components with events', () => {
    const sums = (j: typeof events) => new Map(j.components.map((c, i) => [c.type === 'sli' ? `${c.service}/${c.sli}` : '', { total: 1000 / 30 ** i, bad: i === j.components.length - 1 ? 1000 / 30 ** i : 0 }]));
    const ev = sums(events);
    const e = combineJourney(model.journeys, events, (s, x) => ev.get(`${s}/${x}`));
    const totals = [...ev.values()];
    expect(e.ratio).toBeCloseTo(totals.at(-1)!.bad / totals.reduce((n, t) => n + t.total, 0), 12);
    expect(e.parts.map((p) => p.share)).toEqual([0, 0, 1]);
    const co = sums(components);
    const c = combineJourney(model.journeys, components, (s, x) => co.get(`${s}/${x}`));
    const weights = components.components.map((x) => x.weight);
    expect(c.ratio).toBeCloseTo(weights.at(-1)! / weights.reduce((n, w) => n + w, 0), 12);
    // A component without events is left out of components weighting, not counted as good.
    const silent = new Map(co);
    silent.set([...co.keys()][0]!, { total: 0, bad: 0 });
    const s = combineJourney(model.journeys, components, (x, y) => silent.get(`${x}/${y}`));
    expect(s.ratio).toBeCloseTo(weights.at(-1)! / (weights.reduce((n, w) => n + w, 0) - weights[0]!), 12);
    expect(s.parts[0]!.share).toBeUndefined();
  });
});

const nested = {
  // An events journey inside an events one (their events add up), and a components journey over both.
  'git-pull': journey('git-pull', '  - { service: workhorse, sli: requests }\n  - { service: gitaly, sli: grpc-requests, weight: 2 }\n', 'alerting: { burn_alerts: true }\n'),
  'git-all': journey('git-all', '  - { journey: git-pull, weight: 2 }\n  - { journey: git-push-https }\n', 'alerting: { burn_alerts: true, pages: true }\n'),
  everything: journey('everything', '  - { journey: git-all }\n  - { journey: webhook-delivery, weight: 3 }\n  - { service: registry, sli: requests }\n', 'weighting: components\nobjective: 99\nalerting: { burn_alerts: true }\n').replace('objective: 99.5\n', ''),
};

describe('generated journey tests', () => {
  it('pass under promtool for journeys inside journeys, and fail when a weight, the no-events filter or a threshold changes', { timeout: 600_000 }, async () => {
    const { model, problems } = withJourneys(nested);
    expect(problems.map(formatProblem)).toEqual([]);
    // Contained journeys come before those that read them.
    const order = model!.journeys.map((j) => j.name);
    expect(order.indexOf('git-pull')).toBeLessThan(order.indexOf('git-all'));
    expect(order.indexOf('git-all')).toBeLessThan(order.indexOf('everything'));
    const out = join(scratchDir('slokit-journeys-'), 'out');
    const pack = await generatePack(model!);
    writeOutput(out, pack.files);
    const tests = join(out, 'prometheus', 'tests');
    const run = () => promtoolAsync(['test', 'rules', 'journeys.test.yml'], tests);
    const ok = await run();
    expect(ok.ok, ok.output).toBe(true);
    const rules = join(out, 'prometheus', 'rules', 'journeys.yml');
    const text = readFileSync(rules, 'utf8');
    // The pages of git-all page; every other journey's alerts are tickets.
    expect(text.match(/severity: critical/g)?.length).toBe(2);
    // Each mutation is run against the tests of the journey whose rule it changes (the whole file
    // passed above; promtool evaluates every rule for every test, so a subset is a fraction of the cost).
    const ruleList = (parse(text) as { groups: { rules: { expr: string; labels?: Record<string, string> }[] }[] }).groups.flatMap((g) => g.rules);
    const testDoc = parse(readFileSync(join(tests, 'journeys.test.yml'), 'utf8')) as { tests: { name: string }[] };
    for (const [what, from, to] of [
      ['a weight', /\b2 \* journey:events_bad/, '3 * journey:events_bad'],
      ['the no-events filter', / >= 0\)/g, ')'],
      ['a threshold', /> 0\.072 \+ 1e-12/, '> 0.08 + 1e-12'],
    ] as const) {
      const owner = ruleList.find((r) => r.expr.search(from) >= 0)?.labels?.journey;
      expect(owner, what).toBeDefined();
      const own = testDoc.tests.filter((t) => t.name.startsWith(`journey ${owner} (`));
      expect(own.length, what).toBeGreaterThan(0);
      writeFileSync(join(tests, 'mutation.test.yml'), stringify({ ...testDoc, tests: own }));
      writeFileSync(rules, text.replace(from, to));
      const mutated = await promtoolAsync(['test', 'rules', 'mutation.test.yml'], tests);
      expect(mutated.ok, `the tests of ${owner} did not notice ${what} changing`).toBe(false);
      // Failed as tests fail (a group named, an expectation not met), not as a file promtool cannot read.
      expect(mutated.output, what).toMatch(new RegExp(`FAILED:[\\s\\S]*name: journey ${owner} \\(`));
    }
    writeFileSync(rules, text);
  });

  it('promtool check rules accepts every form of the journeys\' rules', async () => {
    const { model } = withJourneys(nested);
    const out = join(scratchDir('slokit-journeys-forms-'), 'out');
    const pack = await generatePack(model!);
    writeOutput(out, pack.files);
    const r = await promtoolAsync(['check', 'rules', 'prometheus/rules/journeys.yml'], out);
    expect(r.ok, r.output).toBe(true);
    // Thanos: the same groups, each aborting on a partial answer (promtool does not read that field).
    expect(pack.files.get('prometheus/rulers/thanos/journeys.yml')!.match(/partial_response_strategy: abort/g)?.length).toBe(pack.files.get('prometheus/rules/journeys.yml')!.match(/^ {2}- name: /gm)?.length);
    // The Mimir file is Prometheus groups under a namespace; the PrometheusRule holds the same groups.
    expect(pack.files.get('prometheus/rulers/mimir/journeys.yml')).toMatch(/^namespace: slokit-journeys$/m);
    expect(pack.files.get('kubernetes/prometheusrules/journeys.yaml')).toMatch(/name: slokit-journeys/);
    expect(pack.files.get('mixin/mixin.libsonnet')).toContain('import "rules/journeys.json"');
    expect(pack.files.has('prometheus/rulers/local/journeys.yml')).toBe(false);
  });
});

describe('slokit test on the journeys', () => {
  it('runs each journey against the rules of the journeys that can see what it feeds: journeys that share no SLI run apart, and pass', { timeout: 300_000 }, async () => {
    const storage = journey('storage', '  - { service: registry, sli: requests }\n  - { service: postgres, sli: transactions }\n', 'alerting: { burn_alerts: true }\n');
    const { model, problems } = withJourneys({ storage });
    expect(problems.map(formatProblem)).toEqual([]);
    const pack = await generatePack(model!);
    const tests = (parse(pack.files.get('prometheus/tests/journeys.test.yml')!) as { tests: { name: string }[] }).tests;
    const rules = (parse(pack.files.get('prometheus/rules/journeys.yml')!) as { groups: GroupObject[] }).groups;
    const parts = partsByJourney(tests as never[], rules);
    const journeysOf = (p: { rules: GroupObject[] }) => [...new Set(p.rules.flatMap((g) => g.rules.map((r) => r.labels?.journey)))].sort();
    // git-push-https and webhook-delivery both cross web/puma-requests: their tests expect each other's alerts.
    expect(parts.map(journeysOf).sort()).toEqual([['git-push-https', 'webhook-delivery'], ['storage']]);
    expect(parts.reduce((n, p) => n + p.tests.length, 0)).toBe(tests.length);
    const out = join(scratchDir('slokit-journeys-test-'), 'out');
    writeOutput(out, pack.files);
    const results = await testPack(out, { jobs: 2, changedOnly: false, promtoolVersion: promtoolVersion(), select: (f) => f === 'journeys.test.yml' });
    expect(results.map((r) => [r.file, r.status, r.groups])).toEqual([['journeys.test.yml', 'passed', tests.length]]);
  });
});

describe('a real Prometheus evaluating the journeys, and slokit serve showing them', () => {
  it('records every journey (inside journeys too) as the definition says for components 30 times apart in traffic, fires the alerts it should with the components\' burns named, and serve lists them', { timeout: 180_000 }, async () => {
    const { dir, model } = withJourneys(nested);
    const m = model!;
    const pack = await generatePack(m);
    const work = scratchDir('slokit-journeys-prom-');
    // The quietest component of all failing completely, the others working: one step every journey reaches.
    const leaves = [...new Map(m.journeys.flatMap((j) => journeyLeaves(m.journeys, j)).map((l) => [`${l.service}/${l.sli}`, l])).values()];
    const feeds = new Map(leaves.map((l, i) => [`${l.service}/${l.sli}`, { total: 1000 / 30 ** i, bad: i === leaves.length - 1 ? 1000 / 30 ** i : 0 }]));
    const windows = [...new Map(m.journeys.flatMap((j) => [...journeyWindows(j), ...j.alerts.map((a) => a.long)]).map((w) => [w.text, w])).values()];
    const exposition = leaves
      .flatMap((l) => {
        const sli = m.services.find((x) => x.name === l.service)!.slis.find((x) => x.name === l.sli)!;
        const f = feeds.get(`${l.service}/${l.sli}`)!;
        const labels = `service="${l.service}",sli="${l.sli}",component="${sli.component}",env="production",cluster="main"`;
        return windows.flatMap((w) => [`sli:events_total:rate${w.text}{${labels}} ${f.total}`, `sli:events_bad:rate${w.text}{${labels}} ${f.bad}`, `slo:burn_rate:rate${w.text}{${labels}} ${f.bad / f.total / sli.errorBudget}`]);
      })
      .join('\n');
    const server = createServer((_, res) => res.end(`${exposition}\n`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    // Every group each second, so the test waits seconds, not the policy's minutes.
    writeFileSync(join(work, 'journeys.yml'), pack.files.get('prometheus/rules/journeys.yml')!.replace(/interval: \d+m/g, 'interval: 1s'));
    writeFileSync(join(work, 'prometheus.yml'), `global: { scrape_interval: 1s, evaluation_interval: 1s }\nrule_files: [journeys.yml]\nscrape_configs:\n  - job_name: components\n    static_configs: [{ targets: ["127.0.0.1:${port}"] }]\n`);
    const prometheus = await startPrometheus(join(work, 'prometheus.yml'), join(work, 'data'));
    let serve: Awaited<ReturnType<typeof startServe>> | undefined;
    try {
      const query = async (q: string) => (await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      const exact = new Map(m.journeys.map((j) => [j.name, combineJourney(m.journeys, j, (service, sli) => feeds.get(`${service}/${sli}`)).ratio!]));
      const ratios = async () => new Map((await query('journey:error:ratio_rate1h')).data.result.map((r) => [r.metric.journey!, Number(r.value[1])]));
      const until = Date.now() + 60_000;
      let got = await ratios();
      while ([...exact].some(([name, v]) => Math.abs((got.get(name) ?? -1) - v) > 1e-9 * v) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 500));
        got = await ratios();
      }
      for (const [name, v] of exact) expect(got.get(name), name).toBeCloseTo(v, 9);
      // The quietest step weighs little by events and its weight by components: some journeys burn, some do not.
      const firing = async () => (await query('ALERTS{alertstate="firing", journey!=""}')).data.result.map((r) => `${r.metric.journey}/${r.metric.alertname}`).sort();
      const expected = m.journeys.filter((j) => j.burnAlerts).flatMap((j) => journeyAlerts(m, j, resolveComponents(m, j)).filter((a) => exact.get(j.name)! > a.burn.threshold).map((a) => `${j.name}/${a.rule.alert}`)).sort();
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(m.journeys.filter((j) => j.burnAlerts).length * 4);
      let fired = await firing();
      while (fired.join() !== expected.join() && Date.now() < until + 30_000) {
        await new Promise((r) => setTimeout(r, 500));
        fired = await firing();
      }
      expect(fired).toEqual(expected);
      // Prometheus renders each alert's description, component burns read by its own query.
      const alerts = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] } };
      const one = alerts.data.alerts.find((a) => a.labels.journey && a.labels.burn_tier === 'fast')!;
      const j = m.journeys.find((x) => x.name === one.labels.journey)!;
      const burns = resolveComponents(m, j).map((r) => {
        if (r.journey) return { name: componentLabel(r), burn: exact.get(r.journey.name)! / r.journey.errorBudget };
        const f = feeds.get(`${r.service!.name}/${r.sli!.name}`)!;
        return { name: componentLabel(r), burn: f.bad / f.total / r.sli!.errorBudget };
      });
      expect(one.annotations.description).toContain(`Burn rate of each component over 1h: ${burnsText(burns)}.`);
      // slokit serve lists the journeys with the numbers Prometheus recorded.
      serve = await startServe(dir, prometheus.url);
      const rows = ((await (await fetch(`${serve.url}/api/journeys`)).json()) as { journeys: { journey: string; state: string; errorRatio: number | null }[] }).journeys;
      expect(rows.map((r) => r.journey).sort()).toEqual(m.journeys.map((x) => x.name).sort());
      for (const r of rows) expect(r.errorRatio, r.journey).toBeCloseTo(exact.get(r.journey)!, 9);
      expect(rows.filter((r) => r.state === 'burning').map((r) => r.journey).sort()).toEqual([...new Set(expected.map((e) => e.split('/')[0]))].sort());
      const page = await (await fetch(`${serve.url}/`)).text();
      expect(page).toContain('<table class="slos" id="journeys">');
      expect(page.match(/<tr class="journey" /g)).toHaveLength(m.journeys.length);
      const runbook = await (await fetch(`${serve.url}/runbooks/journeys`)).text();
      expect(runbook).toContain('id="journey-everything-burn-fast"');
    } finally {
      await Promise.all([serve?.stop(), prometheus.stop(), new Promise((r) => server.close(r))]);
    }
  });
});

describe('a catalog without journeys', () => {
  it('writes no journey files and keeps its Alertmanager grouping', async () => {
    const dir = copyCatalog();
    rmSync(join(dir, 'journeys'), { recursive: true });
    const pack = await generatePack(loadModel(dir).model!);
    expect([...pack.files.keys()].filter((f) => f.includes('journeys'))).toEqual([]);
    expect(pack.files.get('alertmanager/alertmanager.yml')).toContain('group_by:\n    - alertname\n    - service\n    - sli\n    - resource\n');
  });
});
