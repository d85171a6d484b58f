/** Bad catalogs: every problem located (file:line:col), explained, with a fix; all of a run together. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { formatProblem, type Problem } from '../generators/validate/problems.js';
import { copyCatalog, edit } from './helpers/catalog.js';

function problemsAfter(change: (dir: string) => void): Problem[] {
  const dir = copyCatalog();
  change(dir);
  const r = loadModel(dir);
  expect(r.model).toBeUndefined();
  return r.problems;
}

function one(problems: Problem[], pattern: RegExp): Problem {
  const hits = problems.filter((p) => pattern.test(p.message));
  expect(hits, problems.map(formatProblem).join('\n')).toHaveLength(1);
  return hits[0]!;
}

const svc = (dir: string, name: string) => join(dir, 'services', `${name}.yaml`);

describe('the bundled catalog', () => {
  it('is valid and big enough: at least 7 services and 15 SLIs', () => {
    const r = loadModel(copyCatalog());
    expect(r.problems.map(formatProblem)).toEqual([]);
    expect(r.model!.services.length).toBeGreaterThanOrEqual(7);
    expect(r.model!.services.reduce((n, s) => n + s.slis.length, 0)).toBeGreaterThanOrEqual(15);
    expect(r.model!.services.flatMap((s) => s.slis.map((x) => x.kind))).toEqual(expect.arrayContaining(['error-ratio', 'latency', 'apdex', 'http', 'job', 'raw']));
  });
});

describe('bad input', () => {
  it('YAML syntax error: located at the offending line', () => {
    const p = problemsAfter((d) => writeFileSync(svc(d, 'redis'), 'name: redis\nslis: [\n  - a\n'));
    const hit = p.find((x) => x.file.endsWith('redis.yaml'))!;
    expect(hit.message).toMatch(/YAML syntax/);
    expect(hit.line).toBeGreaterThanOrEqual(2);
    expect(formatProblem(hit)).toMatch(/redis\.yaml:\d+:\d+: error: YAML syntax/);
  });

  it('duplicate key in a mapping', () => {
    const p = problemsAfter((d) => edit(svc(d, 'redis'), (t) => t.replace('tier: 2', 'tier: 2\ntier: 3')));
    const hit = one(p, /duplicate key/);
    expect(hit.line).toBe(6);
  });

  it('misspelt field: points at the key and suggests the near match', () => {
    let line = 0;
    const p = problemsAfter((d) =>
      edit(svc(d, 'registry'), (t) => {
        const out = t.replace('    objective: 99.9\n', '    objectiv: 99.9\n');
        line = out.split('\n').findIndex((l) => l.startsWith('    objectiv:')) + 1;
        return out;
      }),
    );
    const hit = one(p, /unknown field "objectiv"/);
    expect(hit.hint).toBe('did you mean "objective"?');
    expect(line).toBeGreaterThan(1);
    expect([hit.line, hit.col]).toEqual([line, 5]);
  });

  it('unknown field without a near match lists the allowed fields', () => {
    const p = problemsAfter((d) => edit(svc(d, 'redis'), (t) => t.replace('tier: 2', 'tier: 2\nflavour: vanilla')));
    expect(one(p, /unknown field "flavour"/).hint).toMatch(/allowed fields: .*dependencies/);
  });

  it('wrong type', () => {
    const p = problemsAfter((d) => edit(svc(d, 'redis'), (t) => t.replace('objective: 99.9', 'objective: "high"')));
    const hit = one(p, /objective must be a number, found string "high"/);
    expect(hit.message).toMatch(/slis\[0\]\.objective/);
  });

  it('duplicate service names across files', () => {
    const p = problemsAfter((d) => writeFileSync(svc(d, 'redis-copy'), readFileSync(svc(d, 'redis'), 'utf8')));
    expect(p.some((x) => /service "redis" is already declared in/.test(x.message))).toBe(true);
  });

  it('duplicate SLI names within a service', () => {
    const p = problemsAfter((d) => edit(svc(d, 'gitaly'), (t) => t.replace('name: grpc-latency', 'name: grpc-requests')));
    expect(one(p, /SLI "grpc-requests" is declared twice/).file).toMatch(/gitaly\.yaml$/);
  });

  it('team that does not exist, with a suggestion', () => {
    const p = problemsAfter((d) => edit(svc(d, 'registry'), (t) => t.replace('team: package', 'team: pakage')));
    const hit = one(p, /team "pakage" is not in teams.yaml/);
    expect(hit.hint).toMatch(/did you mean "package"/);
    expect([hit.line, hit.col]).toEqual([4, 7]);
  });

  it('dependency that does not exist', () => {
    const p = problemsAfter((d) => edit(svc(d, 'registry'), (t) => t.replace('[postgres, redis]', '[postgres, redis, postgress]')));
    expect(one(p, /dependency "postgress" is not a service/).hint).toMatch(/did you mean "postgres"/);
  });

  it('a broken policy file is reported in that file, not again for every SLI that uses it', () => {
    const p = problemsAfter((d) => {
      mkdirSync(join(d, 'policies'));
      writeFileSync(join(d, 'policies', 'strict.yaml'), 'name: strict\nwindows: not-a-list\n');
      for (const [s, tier] of [['redis', 'tier: 2'], ['postgres', 'tier: 1']]) edit(svc(d, s!), (t) => t.replace(tier!, `${tier}\nalert_policy: strict`));
    });
    expect(p.length).toBeGreaterThan(0);
    expect(p.every((x) => x.file.endsWith('strict.yaml')), p.map((x) => `${x.file}: ${x.message}`).join('\n')).toBe(true);
  });

  it('a service that depends on itself is one error, not also a cycle', () => {
    const p = problemsAfter((d) => edit(svc(d, 'gitaly'), (t) => t.replace('dependencies: []', 'dependencies: [gitaly]')));
    expect(p.map((x) => x.message)).toEqual(['service "gitaly" depends on itself']);
  });

  it('a dependency outside the catalog is written external:NAME; its runbook names it (linked to its own runbook when given); a bad one is a located error', async () => {
    const dir = copyCatalog();
    edit(svc(dir, 'registry'), (t) => t.replace('[postgres, redis]', '[postgres, redis, external:managed-redis]'));
    const { model, problems } = loadModel(dir);
    expect(problems).toEqual([]);
    const registry = model!.services.find((s) => s.name === 'registry')!;
    expect([registry.dependencies, registry.externalDependencies]).toEqual([['postgres', 'redis'], ['managed-redis']]);
    const pack = await generatePack(model!);
    expect(pack.files.get('runbooks/registry.md')).toMatch(/Outside the catalog \(no SLOs or runbooks here.*\): managed-redis\./);
    // With a runbook or status page of its own, the runbook links it; one for a dependency not listed is a located error.
    edit(svc(dir, 'registry'), (t) => t.replace(/^tier: 1$/m, 'tier: 1\nexternal_runbooks:\n  managed-redis: https://status.cloud.example.com/redis?region=eu&x=1'));
    const linked = loadModel(dir);
    expect(linked.problems).toEqual([]);
    expect((await generatePack(linked.model!)).files.get('runbooks/registry.md')).toMatch(/: \[managed-redis\]\(https:\/\/status\.cloud\.example\.com\/redis\?region=eu&x=1\)\./);
    const stray = problemsAfter((d) => edit(svc(d, 'registry'), (t) => t.replace(/^tier: 1$/m, 'tier: 1\nexternal_runbooks:\n  managed-pg: https://status.example.com')));
    expect(formatProblem(one(stray, /external_runbooks names managed-pg, which is not an external dependency of registry/))).toMatch(/registry\.yaml:\d+:\d+: error: .*\n {2}fix: add external:managed-pg to dependencies, or remove its runbook/);
    const p = problemsAfter((d) => edit(svc(d, 'registry'), (t) => t.replace('[postgres, redis]', '[postgres, redis, "external:Managed Redis"]')));
    expect(one(p, /dependencies\[2\] has an invalid value "external:Managed Redis"/).hint).toMatch(/external:NAME for one outside the catalog/);
    // A name that is neither a service nor external says how to write an external one.
    const q = problemsAfter((d) => edit(svc(d, 'registry'), (t) => t.replace('[postgres, redis]', '[postgres, redis, managed-redis]')));
    expect(one(q, /dependency "managed-redis" is not a service in the catalog/).hint).toMatch(/write external:managed-redis for one outside the catalog/);
  });

  it("a dependency's mapping form: inhibit: false leaves the dependent paging; a wrong key or service is a located error", () => {
    const { model, problems } = loadModel(copyCatalog());
    expect(problems).toEqual([]);
    const workhorse = model!.services.find((s) => s.name === 'workhorse')!;
    expect([workhorse.dependencies, workhorse.heldBackBy]).toEqual([['gitaly', 'redis', 'web'], ['gitaly', 'web']]);
    const typo = problemsAfter((d) => edit(svc(d, 'workhorse'), (t) => t.replace('{ service: redis, inhibit: false }', '{ service: redis, inhibt: false }')));
    const hit = one(typo, /inhibt/);
    expect(formatProblem(hit)).toMatch(/workhorse\.yaml:\d+:\d+: error: /);
    const unknown = problemsAfter((d) => edit(svc(d, 'workhorse'), (t) => t.replace('{ service: redis, inhibit: false }', '{ service: rediss, inhibit: false }')));
    expect(one(unknown, /dependency "rediss" is not a service/).hint).toMatch(/did you mean "redis"/);
  });

  it('dependency cycle, with the path', () => {
    const p = problemsAfter((d) => edit(svc(d, 'postgres'), (t) => t.replace('dependencies: []', 'dependencies: [web]')));
    expect(one(p, /dependency cycle: postgres -> web -> postgres/).file).toMatch(/postgres\.yaml$/);
  });

  it('objective of 100, of 0 and below', () => {
    for (const bad of ['100', '0', '-5']) {
      const p = problemsAfter((d) => edit(svc(d, 'redis'), (t) => t.replace('objective: 99.9', `objective: ${bad}`)));
      expect(p.map((x) => x.message).join('\n')).toMatch(new RegExp(`objective must be (<|>) (100|0), found ${bad}`));
    }
  });

  it('objective that makes an alert impossible (factor x budget >= 1)', () => {
    const p = problemsAfter((d) => edit(svc(d, 'redis'), (t) => t.replace('objective: 99.9', 'objective: 90')));
    const hit = p.find((x) => /makes the fast alert impossible/.test(x.message))!;
    expect(hit.message).toMatch(/error ratio above 144%/);
    expect(hit.hint).toMatch(/raise the objective to at least 93\.0555/);
  });

  it('latency threshold that is not a bucket boundary (declared buckets and the SDK contract)', () => {
    const p1 = problemsAfter((d) => edit(svc(d, 'web'), (t) => t.replace('threshold: 1\n', 'threshold: 0.3\n')));
    expect(one(p1, /threshold 0.3s is not a bucket boundary of the declared buckets/).hint).toMatch(/use a boundary, e\.g\. 0\.25/);
    const p2 = problemsAfter((d) => edit(svc(d, 'webhook-relay'), (t) => t.replace('threshold: 0.25', 'threshold: 0.2')));
    expect(one(p2, /not a bucket boundary of the standard metric http_server_request_duration_seconds/).hint).toMatch(/0\.25/);
  });

  it('PromQL that does not parse, and an expression where a selector belongs', () => {
    const p = problemsAfter((d) =>
      edit(svc(d, 'registry'), (t) => t.replace('bad: registry_http_requests_total{code=~"5.."}', 'bad: registry_http_requests_total{code=~"5.."').replace('total: registry_http_requests_total\n', 'total: sum(rate(registry_http_requests_total[5m]))\n')),
    );
    expect(p.some((x) => /selector does not parse/.test(x.message))).toBe(true);
    expect(one(p, /expected a series selector/).hint).toMatch(/kind: raw/);
    const raw = problemsAfter((d) => edit(svc(d, 'postgres'), (t) => t.replace('bad_rate: rate(', 'bad_rate: rate((')));
    expect(one(raw, /PromQL does not parse/).file).toMatch(/postgres\.yaml$/);
  });

  it('a bool gauge needs a selector of the gauge, not an expression over it, and nothing else', () => {
    const probe = (gauge: string) => `  - name: reachable\n    kind: bool-gauge\n    ${gauge}\n    objective: 99.9\n`;
    const p = problemsAfter((d) => edit(svc(d, 'redis'), (t) => `${t}${probe('gauge: avg_over_time(redis_up{job="redis"}[5m])')}`));
    const expr = one(p, /expected a series selector/);
    const lines = readFileSync(svc('catalog', 'redis'), 'utf8').split('\n').length;
    expect([expr.file.endsWith('redis.yaml'), expr.line, expr.hint]).toEqual([true, lines + 2, expect.stringMatching(/kind: raw/)]);
    const missing = problemsAfter((d) => edit(svc(d, 'redis'), (t) => `${t}${probe('total: redis_up{job="redis"}')}`));
    expect(missing.map((x) => x.message).join('\n')).toMatch(/gauge/);
  });

  it('U+FFFD inside a raw expression: Prometheus could not evaluate the rule, so the catalog says where', () => {
    const p = problemsAfter((d) => edit(svc(d, 'postgres'), (t) => t.replace('datname="gitlabhq_production"}[$window])\n', 'datname="gitlab\ufffd"}[$window])\n')));
    const hit = one(p, /bad_rate holds U\+FFFD/);
    expect(hit.hint).toMatch(/regular expression that leaves the character out/);
  });

  it('a raw SLI whose aggregation drops the environment or cluster label (its alerts could not be routed or linked)', () => {
    const wrap = (inner: string) => (t: string) => t.replace(/bad_rate: (.*)\n/, (_, e: string) => `bad_rate: ${inner.replace('E', e)}\n`);
    const summed = problemsAfter((d) => edit(svc(d, 'postgres'), wrap('sum(E)')));
    const hit = one(summed, /bad_rate aggregates away env and cluster in "sum\(rate/);
    expect(hit.hint).toMatch(/sum by \(env, cluster\)/);
    expect(hit.line).toBe(26);
    expect(one(problemsAfter((d) => edit(svc(d, 'postgres'), wrap('sum by (env) (E)'))), /aggregates away cluster in/)).toBeDefined();
    expect(one(problemsAfter((d) => edit(svc(d, 'postgres'), wrap('sum without (cluster, datname) (E)'))), /aggregates away cluster in/)).toBeDefined();
    for (const fine of ['sum by (env, cluster) (E)', 'sum without (datname) (E)', 'topk(5, E)']) {
      const dir = copyCatalog();
      edit(svc(dir, 'postgres'), wrap(fine));
      expect(loadModel(dir).problems, fine).toEqual([]);
    }
  });

  it('names unsafe as label values or file names', () => {
    for (const bad of ['"re\\"g"', 'a/b', '"..\\u0000"', '../etc']) {
      const p = problemsAfter((d) => edit(svc(d, 'redis'), (t) => t.replace('name: commands', `name: ${bad}`)));
      expect(p.some((x) => /slis\[0\]\.name has an invalid value/.test(x.message))).toBe(true);
    }
    const p = problemsAfter((d) => edit(svc(d, 'redis'), (t) => t.replace('name: redis', 'name: ../redis')));
    expect(p.some((x) => /^name has an invalid value/.test(x.message))).toBe(true);
  });

  it('reports every problem of a run together, across files, sorted by file and line', () => {
    const p = problemsAfter((d) => {
      edit(svc(d, 'registry'), (t) => t.replace('team: package', 'team: nobody'));
      edit(svc(d, 'redis'), (t) => t.replace('objective: 99.9', 'objective: 100'));
      edit(svc(d, 'gitaly'), (t) => t.replace('tier: 1', 'tier: 7'));
    });
    expect(p.length).toBeGreaterThanOrEqual(3);
    const files = p.map((x) => x.file.replace(/^.*\//, ''));
    expect(files).toEqual([...files].sort());
    for (const x of p) expect(formatProblem(x)).toMatch(/^.+\.yaml:\d+:\d+: error: .+\n  fix: .+/);
  });

  it('a file removed from the catalog is reported, not crashed on', () => {
    const p = problemsAfter((d) => rmSync(join(d, 'teams.yaml')));
    expect(one(p, /missing teams file/).file).toMatch(/teams\.yaml$/);
  });

  it('bytes that are not UTF-8, or a NUL, are located; U+FFFD and other unusual characters are text like any other', () => {
    const at = (bytes: Buffer) => problemsAfter((d) => writeFileSync(svc(d, 'redis'), bytes));
    const latin1 = one(at(Buffer.from('name: redis\ndescription: caf\xe9 ok\n', 'latin1')), /not UTF-8/);
    expect([latin1.line, latin1.col]).toEqual([2, 17]);
    const truncated = one(at(Buffer.concat([Buffer.from('name: redis\ndescription: caf'), Buffer.from([0xe2, 0x82]), Buffer.from('\n')])), /not UTF-8/);
    expect([truncated.line, truncated.col]).toEqual([2, 17]);
    const nul = one(at(Buffer.from('name: re\0dis\n')), /NUL byte/);
    expect([nul.line, nul.col]).toEqual([1, 9]);
    const dir = copyCatalog();
    edit(svc(dir, 'redis'), (t) => t.replace(/^description: .*$/m, 'description: "\ufffd replacement, \u202e override, \u2028 separator"'));
    expect(loadModel(dir).problems).toEqual([]);
  });

  it('an alias bomb is refused, not expanded', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
    // Refused for its aliases, which the YAML reader counts before it expands anything.
    const p = problemsAfter((d) => writeFileSync(svc(d, 'redis'), bomb));
    expect(p.some((x) => /aliases/.test(x.message))).toBe(true);
  });
});

