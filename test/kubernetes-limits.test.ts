/**
 * `generate` warns about Kubernetes objects an apply would fail on: a ConfigMap over 1 MiB
 * (the API server refuses it), any object over 256 KiB (a client-side `kubectl apply` copies it
 * into an annotation that holds at most that), and any over 1.5 MiB (etcd's request limit).
 * The sizes are the real file sizes on either side of each limit; a pack of the bundled
 * catalog has nothing to warn about, and a service with many SLIs does.
 */
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANNOTATIONS_MAX_BYTES, CONFIGMAP_DATA_MAX_BYTES, ETCD_REQUEST_MAX_BYTES, kubernetesSizeWarnings } from '../generators/write/kubernetes-limits.js';
import { cli, copyCatalog, edit, scratchDir } from './helpers/catalog.js';

function fileOf(dir: string, path: string, size: number): string {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), '');
  truncateSync(join(dir, path), size);
  return path;
}

describe('Kubernetes object sizes', () => {
  it('are warned about at each limit, and not a byte below it', () => {
    const dir = scratchDir();
    const paths = [
      fileOf(dir, 'kubernetes/dashboards/small.yaml', ANNOTATIONS_MAX_BYTES),
      fileOf(dir, 'kubernetes/dashboards/annotated.yaml', ANNOTATIONS_MAX_BYTES + 1),
      fileOf(dir, 'kubernetes/dashboards/at-limit.yaml', CONFIGMAP_DATA_MAX_BYTES),
      fileOf(dir, 'kubernetes/dashboards/upgrades.yaml', CONFIGMAP_DATA_MAX_BYTES + 1),
      fileOf(dir, 'kubernetes/prometheusrules/big.yaml', CONFIGMAP_DATA_MAX_BYTES + 1),
      fileOf(dir, 'kubernetes/prometheusrules/huge.yaml', ETCD_REQUEST_MAX_BYTES + 1),
      fileOf(dir, 'grafana/dashboards/upgrades.json', ETCD_REQUEST_MAX_BYTES + 1),
    ];
    const warnings = kubernetesSizeWarnings(dir, paths);
    expect(warnings.map((w) => w.split(' ')[0])).toEqual([
      'kubernetes/dashboards/annotated.yaml',
      'kubernetes/dashboards/at-limit.yaml',
      'kubernetes/dashboards/upgrades.yaml',
      'kubernetes/prometheusrules/big.yaml',
      'kubernetes/prometheusrules/huge.yaml',
    ]);
    expect(warnings[0]).toMatch(/is 257 KiB: .*kubectl apply --server-side -k out\/kubernetes$/);
    expect(warnings[2]).toMatch(/is 1\.0 MiB: Kubernetes refuses a ConfigMap over 1 MiB; import grafana\/dashboards\/upgrades\.json into Grafana instead/);
    expect(warnings[3]).toMatch(/--server-side/);
    expect(warnings[4]).toMatch(/is 1\.5 MiB: etcd stores no object over 1\.5 MiB/);
  });

  it('generate says nothing for the bundled catalog, and warns for a service whose dashboard outgrows a client-side apply', () => {
    const catalog = copyCatalog();
    const quiet = cli(['generate', '--catalog', catalog, '--out', join(scratchDir(), 'out')]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/warning/);
    // 30 copies of redis's first SLI: a dashboard row and panels each.
    edit(join(catalog, 'services', 'redis.yaml'), (t) => {
      const slis = t.slice(t.indexOf('slis:'));
      const start = slis.indexOf('  - ');
      const next = slis.indexOf('\n  - ', start);
      const first = slis.slice(start, next > 0 ? next + 1 : undefined);
      const copies = Array.from({ length: 30 }, (_, i) => first.replace(/name: [a-z-]+/, `name: copy-${i}`)).join('');
      return `${t.trimEnd()}\n${copies}`;
    });
    const loud = cli(['generate', '--catalog', catalog, '--out', join(scratchDir(), 'out')]);
    expect(loud.code, loud.stderr).toBe(0);
    expect(loud.stderr).toMatch(/slokit: warning: kubernetes\/dashboards\/redis\.yaml is \d+ KiB: a client-side kubectl apply stores it in an annotation that holds at most 256 KiB/);
  });
});
