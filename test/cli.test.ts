/** The command line as a user runs it: exit codes, messages, atomic and deterministic output. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, copyCatalog, edit, scratchDir } from './helpers/catalog.js';

function tree(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, tree(p, base));
    else out[p.slice(base.length + 1)] = readFileSync(p, 'utf8');
  }
  return out;
}

describe('slokit generate', () => {
  it('writes the pack, prints a summary, and is byte-identical on a second run', () => {
    const catalog = copyCatalog();
    const out = join(scratchDir(), 'out');
    const first = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/services: 8 {3}SLIs: 15/);
    const a = tree(out);
    const alertLines = Object.entries(a)
      .filter(([p]) => p.startsWith('prometheus/rules/'))
      .reduce((n, [, text]) => n + (text.match(/^ {6}- alert: /gm) ?? []).length, 0);
    expect(alertLines).toBeGreaterThan(15 * 4);
    expect(first.stdout).toContain(`alert rules: ${alertLines} `);
    expect(Object.keys(a)).toContain('prometheus/rules/registry.yml');
    expect(Object.keys(a)).toContain('prometheus/tests/registry.test.yml');
    expect(Object.keys(a)).toContain('manifest.json');
    const second = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(second.code).toBe(0);
    expect(tree(out)).toEqual(a);
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
    expect(stale.stderr).toMatch(/differs: prometheus\/tests\/redis\.test\.yml/);
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
    expect(readdirSync(join(out, '..')).filter((f) => f.startsWith('.slokit-'))).toEqual([]);
  });

  it('prunes files it generated before but keeps files it did not write', () => {
    const catalog = copyCatalog();
    const out = join(scratchDir(), 'out');
    expect(cli(['generate', '--catalog', catalog, '--out', out]).code).toBe(0);
    writeFileSync(join(out, 'NOTES.txt'), 'mine');
    rmSync(join(catalog, 'services', 'webhook-relay.yaml')); // nothing depends on it
    const r = cli(['generate', '--catalog', catalog, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const pruned = r.stdout.match(/pruned stale files: (.*)/)![1]!.split(', ');
    expect(pruned.sort()).toEqual([
      'grafana/dashboards/webhook-relay.json',
      'kubernetes/dashboards/webhook-relay.yaml',
      'prometheus/rules/webhook-relay.yml',
      'prometheus/tests/webhook-relay.test.yml',
      'runbooks/webhook-relay.md',
    ]);
    expect(existsSync(join(out, 'prometheus', 'rules', 'webhook-relay.yml'))).toBe(false);
    expect(existsSync(join(out, 'prometheus', 'rules', 'registry.yml'))).toBe(true);
    expect(readFileSync(join(out, 'NOTES.txt'), 'utf8')).toBe('mine');
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
    expect(r.stdout).toMatch(/8 services, 15 SLIs, no problems/);
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

  it('test runs promtool check and test on a generated pack', { timeout: 900_000 }, () => {
    const catalog = copyCatalog();
    // A one-service catalog keeps this run short; the full pack is covered by promtool-pack.test.ts.
    for (const f of readdirSync(join(catalog, 'services'))) if (f !== 'redis.yaml') rmSync(join(catalog, 'services', f));
    const out = join(scratchDir(), 'out');
    expect(cli(['generate', '--catalog', catalog, '--out', out]).code).toBe(0);
    const r = cli(['test', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS/);
  });
});

