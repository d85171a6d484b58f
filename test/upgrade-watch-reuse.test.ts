/**
 * The upgrade watch shows every service, so a pack with one service changed used to evaluate
 * every service's piece of it again. Now a reused service's piece comes from the previous
 * pack's upgrades.json: the dashboard must be the one a cold run writes, whatever services
 * changed and however the evaluated ones fall into chunks.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSyntheticCatalog } from '../bench/synthetic-catalog.js';
import { piecesAtRows, renderDashboards, stackPanels, streamDashboards, upgradePiecesOf, type Dashboard, type Panel } from '../generators/emit/dashboards/evaluate.js';
import { BUNDLED_CATALOG } from '../generators/paths.js';
import { loadModel } from '../generators/pipeline.js';
import { scratchDir } from './helpers/catalog.js';

// 60 services: three chunks of evaluation when all are evaluated.
const catalog = writeSyntheticCatalog(BUNDLED_CATALOG, join(scratchDir(), 'synthetic'), 60, 2);
const model = loadModel(catalog).model!;
const cold = await renderDashboards(model);
const coldPanels = (cold.get('upgrades.json') as Dashboard & { panels: Panel[] }).panels;

async function upgradesWith(skip: ReadonlySet<string>, previous: ReadonlyMap<string, readonly Panel[]>): Promise<{ panels: Panel[]; evaluated: string[] }> {
  const seen: string[] = [];
  let upgrades: Dashboard | undefined;
  await streamDashboards(model, undefined, (file, d) => (file === 'upgrades.json' ? (upgrades = d) : seen.push(file)), skip, previous);
  return { panels: (upgrades as Dashboard & { panels: Panel[] }).panels, evaluated: seen.sort() };
}

describe('the upgrade watch of a pack with reused services', () => {
  it('splits into one piece per service, which stack back into the same panels', () => {
    const pieces = upgradePiecesOf(coldPanels);
    expect([...pieces.keys()]).toEqual(model.services.map((s) => s.name));
    expect(stackPanels([...pieces.values()])).toEqual(coldPanels);
    expect(piecesAtRows(coldPanels).every((p) => p[0]!.id === 1 && p[0]!.gridPos.y === 0)).toBe(true);
  });

  it("is a cold run's, with the changed services anywhere in the catalog evaluated alone", async () => {
    const previous = upgradePiecesOf(coldPanels);
    const changed = new Set(['svc-0', 'svc-30', 'svc-59', 'svc-31']);
    const skip = new Set(model.services.map((s) => s.name).filter((n) => !changed.has(n)));
    const { panels, evaluated } = await upgradesWith(skip, previous);
    expect(JSON.stringify(panels)).toBe(JSON.stringify(coldPanels));
    expect(evaluated).toEqual([...[...changed].map((n) => `${n}.json`), 'slo-overview.json'].sort());
  });

  it("takes a reused service's piece from the previous pack, and evaluates one the previous pack lacks", async () => {
    const previous = new Map(upgradePiecesOf(coldPanels));
    // Marked, to see where the piece came from.
    previous.set('svc-7', previous.get('svc-7')!.map((p) => (p.type === 'row' ? { ...p, title: 'from the previous pack' } : p)));
    previous.delete('svc-8');
    const skip = new Set(model.services.map((s) => s.name).filter((n) => n !== 'svc-1'));
    const { panels } = await upgradesWith(skip, previous);
    const titles = panels.filter((p) => p.type === 'row').map((p) => (p as Panel & { title: string }).title);
    const at = (name: string) => model.services.findIndex((s) => s.name === name);
    expect(titles[at('svc-7')]).toBe('from the previous pack');
    expect(titles[at('svc-8')]).toBe('svc-8');
    expect(titles.filter((t) => /^svc-/.test(t))).toHaveLength(59);
    // Everything else as cold.
    const unmark = panels.map((p) => ((p as Panel & { title?: string }).title === 'from the previous pack' ? { ...p, title: 'svc-7' } : p));
    expect(JSON.stringify(unmark)).toBe(JSON.stringify(coldPanels));
  });
});
