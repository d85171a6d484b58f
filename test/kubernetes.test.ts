/**
 * out/kubernetes/: a PrometheusRule per service (checked against the Prometheus Operator's CRD
 * schema from @kubernetes-models/prometheus-operator), the dashboard ConfigMaps, and a
 * kustomization that lists exactly these and that the real `kubectl kustomize` builds.
 */
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { loadModel } from '../generators/pipeline.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, edit, scratchDir } from './helpers/catalog.js';

const model = loadModel(copyCatalog()).model!;
const pack = await generatePack(model);
const kube = (prefix: string) => [...pack.files].filter(([p]) => p.startsWith(`kubernetes/${prefix}`));

interface RuleDoc {
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  spec: { groups: unknown[] };
}

describe('Prometheus Operator', () => {
  it('one PrometheusRule per service and one for the journeys, valid against the CRD schema, holding exactly the groups of its rule file', () => {
    const rules = kube('prometheusrules/');
    expect(rules.map(([p]) => p).sort()).toEqual([...model.services.map((s) => s.name), 'journeys'].map((n) => `kubernetes/prometheusrules/${n}.yaml`).sort());
    for (const [path, text] of rules) {
      const doc = parse(text) as RuleDoc;
      expect(() => new PrometheusRule(doc as never).validate(), path).not.toThrow();
      const service = path.replace(/.*\//, '').replace(/\.yaml$/, '');
      expect(doc.metadata.name).toBe(`slokit-${service}`);
      const own = service === 'journeys' ? { 'slokit.dev/journeys': 'true' } : { 'slokit.dev/service': service };
      expect(doc.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/managed-by': 'slokit', ...own });
      const ruleFile = parse(pack.files.get(`prometheus/rules/${service}.yml`)!) as { groups: unknown[] };
      expect(doc.spec.groups).toEqual(ruleFile.groups);
    }
  });

  it('the schema check has teeth: a group without a name is refused', () => {
    const doc = parse(kube('prometheusrules/')[0]![1]) as RuleDoc;
    delete (doc.spec.groups[0] as { name?: string }).name;
    expect(() => new PrometheusRule(doc as never).validate()).toThrow(/name/);
  });

  it('rule labels and namespace come from the catalog; a label Kubernetes would refuse is a located error', async () => {
    const dir = copyCatalog();
    edit(`${dir}/defaults.yaml`, (t) => t.replace('    release: kube-prometheus-stack\n', '    release: prom\n    example.com/owner: platform\n  namespace: monitoring\n'));
    const m = loadModel(dir);
    expect(m.problems).toEqual([]);
    const p = await generatePack(m.model!);
    const doc = parse(p.files.get('kubernetes/prometheusrules/redis.yaml')!) as RuleDoc;
    expect(doc.metadata.namespace).toBe('monitoring');
    expect(doc.metadata.labels).toMatchObject({ release: 'prom', 'example.com/owner': 'platform' });
    expect((parse(p.files.get('kubernetes/dashboards/redis.yaml')!) as RuleDoc).metadata.namespace).toBe('monitoring');
    expect((parse(p.files.get('kubernetes/kustomization.yaml')!) as { namespace: string }).namespace).toBe('monitoring');

    const bad = copyCatalog();
    edit(`${bad}/defaults.yaml`, (t) => t.replace('release: kube-prometheus-stack', 'release: "kube prometheus"'));
    const problems = loadModel(bad).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]!.file).toMatch(/defaults\.yaml$/);
    expect(problems[0]!.message).toMatch(/kubernetes\.rule_labels\.release has an invalid value "kube prometheus"/);
    expect(problems[0]!.hint).toMatch(/Kubernetes label value/);
  });
});

describe('kustomization', () => {
  it('kubectl kustomize builds it: every ConfigMap and PrometheusRule, nothing else', () => {
    if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0) {
      throw new Error("kubectl not found on PATH. Install Debian's 'kubernetes-client' package (apt-get install kubernetes-client); make test does this.");
    }
    const out = join(scratchDir(), 'out');
    writeOutput(out, pack.files);
    const r = spawnSync('kubectl', ['kustomize', join(out, 'kubernetes')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    expect(docs.filter((d) => d.kind === 'PrometheusRule').map((d) => d.metadata.name).sort()).toEqual([...model.services.map((s) => `slokit-${s.name}`), 'slokit-journeys'].sort());
    // A dashboard per service, the overview, the upgrade watch and the journeys.
    expect(docs.filter((d) => d.kind === 'ConfigMap')).toHaveLength(model.services.length + 3);
    expect(docs).toHaveLength(2 * model.services.length + 4);
  });


  it('lists exactly the Kubernetes objects of the pack, relative to its folder', () => {
    const k = parse(pack.files.get('kubernetes/kustomization.yaml')!) as { kind: string; resources: string[] };
    expect(k.kind).toBe('Kustomization');
    const objects = [...pack.files.keys()].filter((p) => p.startsWith('kubernetes/') && p !== 'kubernetes/kustomization.yaml').map((p) => p.slice('kubernetes/'.length));
    expect(k.resources).toEqual(objects.sort());
    expect(k.resources.filter((r) => r.startsWith('prometheusrules/'))).toHaveLength(model.services.length + 1);
    expect(k.resources.filter((r) => r.startsWith('dashboards/')).length).toBe(model.services.length + 3);
  });
});
