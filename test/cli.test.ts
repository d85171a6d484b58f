/** The command line as a user runs it: exit codes, messages, atomic and deterministic output. */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_CATALOG, cli, copyCatalog, keepServices, edit, scratchDir } from './helpers/catalog.js';
import { loadModel } from '../generators/pipeline.js';

const SLIS = loadModel(BUNDLED_CATALOG).model!.services.reduce((n, s) => n + s.slis.length, 0);
import { packTree as tree } from './helpers/pack-tree.js';
import { RUNBOOK_TEMPLATES_DIR } from '../generators/paths.js';

describe('slokit generate', () => {
  it('writes the pack, prints a summary, and is byte-identical on a second run', () => {
    const catalog = copyCatalog();
    const out = join(scratchDir(), 'out');
    const first = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`services: 8   SLIs: ${SLIS}`);
    const a = tree(out);
    const alertLines = Object.entries(a)
      .filter(([p]) => p.startsWith('prometheus/rules/'))
      .reduce((n, [, text]) => n + (text.match(/^ {6}- alert: /gm) ?? []).length, 0);
    expect(alertLines).toBeGreaterThan(15 * 4);
    expect(first.stdout).toContain(`alert rules: ${alertLines} `);
    expect(Object.keys(a)).toContain('prometheus/rules/registry.yml');
    expect(Object.keys(a)).toContain('prometheus/tests/slis/registry/requests.test.yml');
    expect(Object.keys(a)).toContain('prometheus/tests/index.json');
    expect(Object.keys(a)).toContain('manifest.json');
    const second = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(second.code).toBe(0);
    expect(tree(out)).toEqual(a);
    // Files of the same content (a dashboard in grafana/ and in mixin/) are one file on disk,
    // on a cold run and when reused; files of different content never are.
    const inodesByContent = () => {
      const byText = new Map<string, Set<number>>();
      for (const [p, text] of Object.entries(tree(out))) byText.set(text, (byText.get(text) ?? new Set()).add(statSync(join(out, p)).ino));
      return [...byText.values()];
    };
    expect(statSync(join(out, 'mixin/dashboards/registry.json')).ino).toBe(statSync(join(out, 'grafana/dashboards/registry.json')).ino);
    const groups = inodesByContent();
    expect(groups.every((inodes) => inodes.size === 1)).toBe(true);
    expect(new Set(groups.flatMap((inodes) => [...inodes])).size).toBe(groups.length);
  });

  it('reuses the files of services unchanged since the last pack, and the result is byte-identical to a cold run', () => {
    const catalog = copyCatalog();
    const out = join(scratchDir(), 'out');
    const cold = (dir: string) => {
      const r = cli(['generate', '--catalog', catalog, '--out', dir, '--no-reuse']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/unchanged/);
      return tree(dir);
    };
    const first = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    const again = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(again.stdout).toMatch(/\(8 of 8 services unchanged, their files reused\)/);
    expect(tree(out)).toEqual(cold(join(scratchDir(), 'cold')));
    // One service changes; another gains a dependent (its runbook lists dependents): both are generated again.
    edit(join(catalog, 'services', 'registry.yaml'), (t) => t.replace(/objective: 99\.9$/m, 'objective: 99.95'));
    edit(join(catalog, 'services', 'webhook-relay.yaml'), (t) => t.replace('dependencies: [postgres, redis]', 'dependencies: [postgres, redis, workhorse]'));
    const changed = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toMatch(/\(5 of 8 services unchanged, their files reused\)/);
    const incremental = tree(out);
    expect(incremental).toEqual(cold(join(scratchDir(), 'cold')));
    expect(incremental['runbooks/workhorse.md']).toMatch(/webhook-relay/);
    // A dependent stops declaring inhibit: false: the dependency's burn pages now name it too.
    edit(join(catalog, 'services', 'workhorse.yaml'), (t) => t.replace('{ service: redis, inhibit: false }', 'redis'));
    const flipped = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(flipped.stdout).toMatch(/\(6 of 8 services unchanged, their files reused\)/);
    expect(tree(out)).toEqual(cold(join(scratchDir(), 'cold')));
    // Catalog-wide settings touch every service (here with a runbook template folder of the catalog's own).
    mkdirSync(join(catalog, 'tpl'));
    writeFileSync(join(catalog, 'tpl', 'service.md.hbs'), readFileSync(join(RUNBOOK_TEMPLATES_DIR, 'service.md.hbs'), 'utf8'));
    edit(join(catalog, 'defaults.yaml'), (t) => t.replace(/^min_events: \d+/m, 'min_events: 30').replace('labels:\n', 'runbook_templates: tpl\nlabels:\n'));
    const settings = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(settings.stdout).not.toMatch(/unchanged/);
    expect(tree(out)).toEqual(cold(join(scratchDir(), 'cold')));
    // A template of that folder changes: settings name only the folder, yet every runbook reads it.
    edit(join(catalog, 'tpl', 'service.md.hbs'), (t) => `${t}\nOn-call notes live in the team wiki.\n`);
    const template = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(template.stdout).not.toMatch(/unchanged/);
    expect(tree(out)['runbooks/redis.md']).toMatch(/On-call notes live in the team wiki\./);
  });

  it('--check passes on a fresh pack, and lists what differs after the catalog changes (writing nothing)', () => {
    const catalog = copyCatalog();
    const out = join(scratchDir(), 'out');
    expect(cli(['generate', '--catalog', catalog, '--out', out]).code).toBe(0);
    const ok = cli(['generate', '--check', '--catalog', catalog, '--out', out]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/up to date/);
    edit(join(catalog, 'services', 'redis.yaml'), (t) => t.replace('objective: 99.9', 'objective: 99.95'));
    const before = tree(out);
    const stale = cli(['generate', '--check', '--catalog', catalog, '--out', out]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/differs: prometheus\/rules\/redis\.yml/);
    expect(stale.stderr).toMatch(/differs: prometheus\/tests\/slis\/redis\/commands\.test\.yml/);
    expect(stale.stderr).not.toMatch(/registry/);
    expect(tree(out)).toEqual(before);
  });

  it('a failing run reports every problem, exits 1, prints no stack trace and leaves the previous out/ intact', () => {
    const catalog = copyCatalog();
    const out = join(scratchDir(), 'out');
    expect(cli(['generate', '--catalog', catalog, '--out', out]).code).toBe(0);
    const before = tree(out);
    edit(join(catalog, 'services', 'redis.yaml'), (t) => t.replace('team: data-stores', 'team: nobody').replace('objective: 99.9', 'objective: 100'));
    const r = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/redis\.yaml:4:7: error: team "nobody" is not in teams\.yaml/);
    expect(r.stderr).toMatch(/redis\.yaml:\d+:\d+: error: slis\[0\]\.objective must be < 100/);
    expect(r.stderr).toMatch(/2 problem\(s\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(tree(out)).toEqual(before);
    expect(readdirSync(join(out, '.slokit')).sort(), 'no lock or half-written pack left behind').toEqual(['current', 'packs', 'parsed-catalog.json', 'spare']);
    expect(readdirSync(join(out, '.slokit', 'packs'))).toHaveLength(1);
  });

  it('prunes files it generated before but keeps files it did not write', () => {
    const catalog = copyCatalog();
    const out = join(scratchDir(), 'out');
    expect(cli(['generate', '--catalog', catalog, '--out', out]).code).toBe(0);
    writeFileSync(join(out, 'NOTES.txt'), 'mine');
    writeFileSync(join(out, 'prometheus', 'rules', 'local.yml'), 'groups: []\n'); // inside a generated folder
    // The rule shapes only webhook-relay's SLIs had go with it; shapes others share stay.
    const index = JSON.parse(readFileSync(join(out, 'prometheus', 'tests', 'index.json'), 'utf8')) as { shapes: Record<string, { files: string[]; slis: string[] }> };
    const onlyWebhookRelayShapes = Object.values(index.shapes)
      .filter((s) => s.slis.every((x) => x.startsWith('webhook-relay/')))
      .flatMap((s) => s.files.map((f) => `prometheus/tests/${f}`));
    expect(onlyWebhookRelayShapes.length).toBeGreaterThan(0);
    rmSync(join(catalog, 'services', 'webhook-relay.yaml')); // no service depends on it
    rmSync(join(catalog, 'journeys', 'webhook-delivery.yaml')); // the journey that crosses it goes with it
    const r = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const pruned = r.stdout.match(/pruned stale files: (.*)/)![1]!.split(', ');
    expect(pruned.sort()).toEqual([
      'grafana/dashboards/webhook-relay.json',
      'kubernetes/dashboards/webhook-relay.yaml',
      'kubernetes/prometheusrules/webhook-relay.yaml',
      'mixin/dashboards/webhook-relay.json',
      'mixin/rules/webhook-relay.json',
      'prometheus/rulers/local/webhook-relay.yml',
      'prometheus/rulers/mimir/webhook-relay.yml',
      'prometheus/rulers/thanos/webhook-relay.yml',
      'prometheus/rules/webhook-relay.yml',
      ...onlyWebhookRelayShapes,
      'prometheus/tests/slis/webhook-relay/api-latency.test.yml',
      'prometheus/tests/slis/webhook-relay/api.test.yml',
      'prometheus/tests/slis/webhook-relay/deliveries.test.yml',
      'prometheus/tests/webhook-relay.saturation.test.yml',
      'prometheus/tests/webhook-relay.version.test.yml',
      'runbooks/webhook-relay.md',
    ].sort());
    expect(existsSync(join(out, 'prometheus', 'rules', 'webhook-relay.yml'))).toBe(false);
    expect(existsSync(join(out, 'prometheus', 'rules', 'registry.yml'))).toBe(true);
    expect(readFileSync(join(out, 'NOTES.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(out, 'prometheus', 'rules', 'local.yml'), 'utf8')).toBe('groups: []\n');
    expect(r.stdout).toContain('kept 2 file(s) slokit did not write: NOTES.txt, prometheus/rules/local.yml');
  });

  it('takes over a pack written before out/ used links (real folders), keeping foreign files', () => {
    const catalog = copyCatalog();
    const out = join(scratchDir(), 'out');
    expect(cli(['generate', '--catalog', catalog, '--out', out]).code).toBe(0);
    const before = tree(out);
    rmSync(out, { recursive: true });
    for (const [path, text] of Object.entries(before)) {
      mkdirSync(join(out, path, '..'), { recursive: true });
      writeFileSync(join(out, path), text);
    }
    writeFileSync(join(out, 'grafana', 'mine.json'), '{}');
    const r = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(tree(out)).toEqual({ ...before, 'grafana/mine.json': '{}' });
    expect(lstatSync(join(out, 'prometheus')).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(out, '.slokit')).sort()).toEqual(['current', 'packs', 'parsed-catalog.json', 'spare']);
  });

  it('refuses to run while another generate holds the output directory, and takes over a lock left by a killed run', () => {
    const catalog = copyCatalog();
    const out = join(scratchDir(), 'out');
    mkdirSync(join(out, '.slokit'), { recursive: true });
    writeFileSync(join(out, '.slokit', 'lock'), `${process.pid}\n`); // this test process is alive
    const held = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(/another slokit \(pid \d+\) is writing/);
    writeFileSync(join(out, '.slokit', 'lock'), '999999999\n'); // no such process
    const r = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, '.slokit', 'lock'))).toBe(false);
  });

  it('refuses an output directory that would overwrite the catalog or a directory it does not own', () => {
    const catalog = copyCatalog();
    const r1 = cli(['generate', '--catalog', catalog, '--out', join(catalog, '..')]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/refusing to write to .*: it would replace/);
    const foreign = join(scratchDir(), 'stuff');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'important.txt'), 'x');
    const r2 = cli(['generate', '--catalog', catalog, '--out', foreign]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/no slokit manifest\.json; refusing to replace it/);
    expect(readFileSync(join(foreign, 'important.txt'), 'utf8')).toBe('x');
  });
});

describe('other commands', () => {
  it('validate writes nothing and reports success with counts', () => {
    const catalog = copyCatalog();
    const cwd = scratchDir();
    const r = cli(['validate', '--catalog', catalog], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`8 services, ${SLIS} SLIs, 2 journeys, no problems`);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('new-service writes a commented entry that validates once its team exists', () => {
    const catalog = copyCatalog();
    const r = cli(['new-service', 'release-notes', '--catalog', catalog, '--team', 'integrations']);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(catalog, 'services', 'release-notes.yaml'), 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=\.\.\/schema\/service\.schema\.json/);
    expect(text).toMatch(/kind: http/);
    const v = cli(['validate', '--catalog', catalog]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/9 services, 17 SLIs/);
    expect(cli(['new-service', 'release-notes', '--catalog', catalog]).code).toBe(1);
    const bad = cli(['new-service', '../escape', '--catalog', catalog]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid service name/);
  });

  it('usage errors exit 2; --help exits 0 on every command', () => {
    expect(cli(['generate', '--bogus']).code).toBe(2);
    expect(cli(['frobnicate']).code).toBe(2);
    expect(cli([]).code).toBe(2);
    for (const c of ['generate', 'validate', 'test', 'new-service', 'schema']) {
      const r = cli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout).toMatch(/Usage: slokit/);
    }
  });

  it('test fails with a clear message when there is no pack', () => {
    const r = cli(['test', '--out', join(scratchDir(), 'nothing')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not exist; run slokit generate first|promtool not found/);
  });

  it('test says the pack is gone when out/.slokit was removed as if it were a cache', () => {
    const out = join(scratchDir(), 'out');
    expect(cli(['generate', '--catalog', copyCatalog(), '--out', out]).code).toBe(0);
    rmSync(join(out, '.slokit'), { recursive: true });
    const r = cli(['test', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/out\/\w+ links into .*out\/\.slokit, which no longer holds the pack \(\.slokit is the pack itself, not a cache\): run slokit generate again/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('test runs promtool check and the tests in parallel, skips what passed unchanged with --changed, and names a failing scenario with its reason', { timeout: 900_000 }, () => {
    const catalog = copyCatalog();
    // A one-service catalog keeps this run short; the full pack is covered by promtool-pack.test.ts.
    keepServices(catalog, ['redis']);
    const out = join(scratchDir(), 'out');
    expect(cli(['generate', '--catalog', catalog, '--out', out]).code).toBe(0);
    const tests = join(out, 'prometheus', 'tests');
    const index = JSON.parse(readFileSync(join(tests, 'index.json'), 'utf8')) as { shapes: Record<string, { files: string[]; windows: string }>; windows: Record<string, { files: string[] }>; slis: { test: string; shape: string }[] };
    expect(index.slis).toHaveLength(1);
    const shape = index.slis[0]!.shape;
    const windows = index.shapes[shape]!.windows;
    const files = [...index.shapes[shape]!.files.filter((f) => f.endsWith('.test.yml')), ...index.windows[windows]!.files.filter((f) => f.endsWith('.test.yml')), 'redis.saturation.test.yml', 'redis.version.test.yml', 'slis/redis/commands.test.yml'].sort();
    expect(files).toEqual([`shapes/${shape}/slo.test.yml`, `windows/${windows}/period.test.yml`, `windows/${windows}/windows.test.yml`, 'redis.saturation.test.yml', 'redis.version.test.yml', 'slis/redis/commands.test.yml'].sort());

    const first = cli(['test', '--out', out, '--jobs', '2']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/SUCCESS/); // promtool check rules
    expect(first.stdout).toMatch(/^6 test file\(s\), \d+ test group\(s\): 6 file\(s\) passed, 0 failed/m);
    for (const f of files) expect(first.stderr).toMatch(new RegExp(`^ok {3}${f.replaceAll('.', '\\.')} \\(`, 'm'));

    // --cache: a run fills its own cache (the suite's, from the environment, is not used), and
    // the next run serves every file from it, saying so per file and in the summary.
    const cache = join(scratchDir(), 'verdicts');
    const filling = cli(['test', '--out', out, '--cache', cache]);
    expect(filling.stdout).toMatch(new RegExp(`6 file\\(s\\) passed, 0 failed .*, 0 passed before with the same inputs \\(cache ${cache.replaceAll('.', '\\.')}\\)`));
    const served = cli(['test', '--out', out, '--cache', cache]);
    expect(served.code, served.stderr).toBe(0);
    expect(served.stdout).toMatch(/6 file\(s\) passed, 0 failed .*, 6 passed before with the same inputs/);
    for (const f of files) expect(served.stderr).toMatch(new RegExp(`^ok {3}${f.replaceAll('.', '\\.')} \\(cached\\) \\[`, 'm'));

    const again = cli(['test', '--out', out, '--changed']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/0 file\(s\) passed, 0 failed .*, 6 unchanged since they last passed/);
    // promtool check rules reads only rule files it has not passed as they are: here none.
    const ruleFiles = Number(/(\d+) of (\d+) rule file\(s\) unchanged since they last passed/.exec(again.stdout)?.[2]);
    expect(again.stdout).toContain(`${ruleFiles} of ${ruleFiles} rule file(s) unchanged since they last passed`);
    expect(again.stdout).not.toMatch(/SUCCESS/);
    // Generating the pack again keeps what passed (the state lives next to the packs).
    expect(cli(['generate', '--catalog', catalog, '--out', out]).code).toBe(0);
    expect(cli(['test', '--out', out, '--changed']).stdout).toMatch(/0 file\(s\) passed, 0 failed .*, 6 unchanged since they last passed/);

    // One test file changes: only it runs again.
    edit(join(tests, 'windows', windows, 'period.test.yml'), (t) => `${t}# touched\n`);
    const one = cli(['test', '--out', out, '--changed']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/1 file\(s\) passed, 0 failed .*, 5 unchanged/);
    expect(one.stderr).toMatch(new RegExp(`^ok {3}windows/${windows}/period\\.test\\.yml`, 'm'));

    // A rule file promtool cannot read: --changed checks it (and only it), and stops there.
    const redisRules = join(out, 'prometheus', 'rules', 'redis.yml');
    const readable = readFileSync(redisRules, 'utf8');
    writeFileSync(redisRules, readable.replace(/expr: 'sum by/, "expr: 'sum by by"));
    const unreadable = cli(['test', '--out', out, '--changed']);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stdout).toMatch(/^Checking redis\.yml$/m);
    expect(unreadable.stdout.match(/^Checking /gm)).toHaveLength(1);
    expect(unreadable.stdout).toContain(`${ruleFiles - 1} of ${ruleFiles} rule file(s) unchanged since they last passed`);
    expect(unreadable.stderr).toMatch(/promtool check rules failed/);
    // What failed is not recorded as passed: it is checked again.
    expect(cli(['test', '--out', out, '--changed']).stdout).toMatch(/^Checking redis\.yml$/m);
    writeFileSync(redisRules, readable);

    // The SLI's rules change (Fast now needs ten times the burn): they are no longer its
    // shape's, which is said without running promtool, naming the rule.
    const rules = join(out, 'prometheus', 'rules', 'redis.yml');
    const original = readFileSync(rules, 'utf8');
    edit(rules, (t) => t.replace(/(alert: SlokitErrorBudgetBurnFast\n\s+expr: \|-\n\s+\(sli:error:ratio_rate5m\{[^}]*\} > )0\.0144/, '$10.144'));
    const broken = cli(['test', '--out', out, '--changed']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^FAILED slis\/redis\/commands\.test\.yml:$/m);
    expect(broken.stdout).toMatch(new RegExp(`^ {2}redis/commands: its rules are shape ${shape}'s under its own name\n {4}rule \\d+ \\(alert SlokitErrorBudgetBurnFast\\): its expression is not the shape's$`, 'm'));

    // Its raw read selects the wrong series: the structure still matches (raw reads are the
    // SLI's own), and its own test fails, naming the scenario (service/SLI first) and why.
    writeFileSync(rules, original.replace('rate(redis_commands_total[5m])', 'rate(redis_commands_total{cmd="get"}[5m])'));
    const misread = cli(['test', '--out', out, '--changed']);
    expect(misread.code).toBe(1);
    expect(misread.stdout).toMatch(/^ {2}redis\/commands: reads its own series: .*\n {4}"abs\(sli:events_total:rate5m\{service=\\"redis\\", sli=\\"commands\\"\} - [\d.]+\) <= bool \S+" at 6m: expected \{.*\} 1E\+00, got nil$/m);

    // The shape's own rules change: its suite fails under the shape's name and the SLIs that share it.
    writeFileSync(rules, original);
    edit(join(tests, 'shapes', shape, 'rules.yml'), (t) => t.replace(/(alert: SlokitErrorBudgetBurnFast\n\s+expr: \|-\n\s+\(sli:error:ratio_rate5m\{[^}]*\} > )0\.0144/, '$10.144'));
    const shapeBroken = cli(['test', '--out', out, '--changed']);
    expect(shapeBroken.code).toBe(1);
    expect(shapeBroken.stdout).toMatch(new RegExp(`^ {2}shape ${shape} \\(redis/commands\\): constant burns of .*17\\.28x.*\n {4}SlokitErrorBudgetBurnFast at \\S+: expected 1 firing alert\\(s\\), got 0; missing \\{.*cluster="burn-17\\.28x", .*\\}$`, 'm'));
  });
});
