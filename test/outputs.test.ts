/**
 * defaults.yaml `outputs`: the deployment forms a pack is written in. A pack with fewer forms is
 * the full pack without the other forms' files, byte for byte (the forms are copies of one
 * model, so leaving one out must change nothing else), and a catalog that cannot be served by
 * the forms it names gets a located error.
 */
import { describe, expect, it } from 'vitest';
import { emitPack, generatePack, type Pack } from '../generators/emit/pack.js';
import { scorecard } from '../generators/maturity/scorecard.js';
import { loadModel } from '../generators/pipeline.js';
import { OUTPUT_FORMS, type OutputForm } from '../generators/schema/catalog-schema.js';
import { formatProblem } from '../generators/validate/problems.js';
import { copyCatalog, edit } from './helpers/catalog.js';

/** The forms a pack path belongs to; none for what every pack holds. */
function formsOf(path: string): OutputForm[] {
  if (path.startsWith('grafana/')) return ['grafana'];
  if (path.startsWith('kubernetes/')) return ['kubernetes'];
  if (path.startsWith('mixin/')) return ['mixin'];
  if (path.startsWith('prometheus/rulers/local/')) return ['mimir', 'thanos'];
  if (path.startsWith('prometheus/rulers/mimir/')) return ['mimir'];
  if (path.startsWith('prometheus/rulers/thanos/')) return ['thanos'];
  if (path.startsWith('prometheus/rulers/')) throw new Error(`a ruler path this test does not know: ${path}`);
  return [];
}

const OUTPUTS_LINE = /^outputs: .*$/m;

function catalogWith(outputs: string): string {
  const dir = copyCatalog();
  edit(`${dir}/defaults.yaml`, (t) => {
    expect(t).toMatch(OUTPUTS_LINE);
    return t.replace(OUTPUTS_LINE, outputs);
  });
  return dir;
}

async function packOf(dir: string): Promise<Pack> {
  const { model, problems } = loadModel(dir);
  if (!model) throw new Error(problems.map(formatProblem).join('\n'));
  return generatePack(model);
}

function problemsOf(dir: string): string {
  const { model, problems } = loadModel(dir);
  expect(model).toBeUndefined();
  return problems.map(formatProblem).join('\n');
}

const full = await packOf(copyCatalog());

describe('outputs', () => {
  it('the bundled catalog writes every form, and every path of its pack belongs to a form or to every pack', () => {
    const forms = new Set([...full.files.keys()].flatMap(formsOf));
    expect([...forms].sort()).toEqual([...OUTPUT_FORMS].sort());
    expect([...full.files.keys()].filter((p) => !formsOf(p).length).map((p) => p.split('/')[0])).toEqual(expect.arrayContaining(['prometheus', 'runbooks', 'alertmanager']));
  });

  for (const chosen of [['grafana'], ['kubernetes'], ['mixin', 'thanos'], ['grafana', 'mimir']] as OutputForm[][]) {
    it(`[${chosen.join(', ')}] is the full pack without the other forms' files, byte for byte`, async () => {
      const pack = await packOf(catalogWith(`outputs: [${chosen.join(', ')}]`));
      const expected = [...full.files].filter(([p]) => {
        const forms = formsOf(p);
        return !forms.length || forms.some((f) => chosen.includes(f));
      });
      expect([...pack.files.keys()]).toEqual(expected.map(([p]) => p));
      for (const [p, text] of expected) expect(pack.files.get(p), p).toBe(text);
      // Counted the same: the summary describes the model, not the forms.
      expect(pack.summary).toEqual(full.summary);
    });
  }

  it('links every alert to a dashboard the pack holds, whichever form holds it (the scorecard check)', async () => {
    for (const form of ['kubernetes', 'mixin'] as const) {
      const dir = catalogWith(`outputs: [${form}]`);
      const { model } = loadModel(dir);
      const pack = await generatePack(model!);
      const scores = await scorecard(model!, pack, { alertTests: false });
      const linked = scores.map((s) => s.results.find((c) => c.criterion === 'dashboards-linked'));
      expect(linked.map((c) => `${c?.status} ${c?.detail}`).filter((s) => !s.startsWith('met'))).toEqual([]);
      expect(linked.length).toBe(model!.services.length);
    }
  });

  it('reuses services in any form: a pack generated again after a change is the cold pack', async () => {
    for (const form of ['kubernetes', 'mixin', 'grafana'] as const) {
      const dir = catalogWith(`outputs: [${form}]`);
      const before = await packOf(dir);
      edit(`${dir}/services/registry.yaml`, (t) => t.replace(/objective: 99\.9$/m, 'objective: 99.95'));
      const { model } = loadModel(dir);
      const files = new Map<string, string>();
      const taken: string[] = [];
      const previous = {
        services: Object.fromEntries(before.records.services),
        suites: Object.fromEntries(before.records.suites),
        reuse: (paths: readonly string[]) => {
          for (const p of paths) files.set(p, before.files.get(p)!);
          taken.push(...paths);
          return true;
        },
      };
      const { reused, summary, records } = await emitPack(model!, {}, (path, text) => files.set(path, text), previous);
      expect(reused.size, form).toBe(model!.services.length - 1);
      expect(taken.length, form).toBeGreaterThan(0);
      // Suites only reused services point at are taken, not built again.
      expect(taken.some((p) => p.startsWith('prometheus/tests/shapes/')), form).toBe(true);
      const cold = await generatePack(model!);
      expect(summary, form).toEqual(cold.summary);
      expect(records.suites, form).toEqual(cold.records.suites);
      expect(records.services, form).toEqual(cold.records.services);
      expect([...files.keys()].sort(), form).toEqual([...cold.files.keys()]);
      for (const [p, text] of cold.files) expect(files.get(p), `${form}: ${p}`).toBe(text);
    }
  });

  it('defaults to grafana, kubernetes and mixin; rulers.split still adds mimir and thanos', () => {
    const plain = catalogWith('');
    expect(loadModel(plain).model!.settings.outputs).toEqual(['grafana', 'kubernetes', 'mixin']);
    const split = catalogWith('rulers: { split: true }');
    expect(loadModel(split).model!.settings.outputs).toEqual(['grafana', 'kubernetes', 'mixin', 'mimir', 'thanos']);
    // Written in any order, kept in one.
    const shuffled = catalogWith('outputs: [thanos, grafana]');
    expect(loadModel(shuffled).model!.settings.outputs).toEqual(['grafana', 'thanos']);
  });

  it('refuses outputs with no dashboard form, rulers said twice, and forms it does not know, where they are written', () => {
    const noDashboards = problemsOf(catalogWith('outputs: [mimir, thanos]'));
    expect(noDashboards).toMatch(/defaults\.yaml:\d+:10: error: outputs has no form for the dashboards every alert links to/);
    expect(noDashboards).toContain('grafana, kubernetes, mixin');

    const twice = problemsOf(catalogWith('outputs: [grafana, mimir]\nrulers:\n  split: true'));
    expect(twice).toMatch(/defaults\.yaml:\d+:3: error: rulers\.split and outputs both say which rulers to write/);
    expect(twice).toContain('remove rulers.split');

    const unknown = problemsOf(catalogWith('outputs: [grafana, prometheus]'));
    expect(unknown).toMatch(/defaults\.yaml:\d+:\d+: .*outputs/);
    expect(unknown).toMatch(/grafana.*kubernetes.*mixin.*mimir.*thanos/s);
  });
});
