/** Evaluates the jsonnet dashboard templates (dashboards/) with the view model as data. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Jsonnet } from '@hanazuki/node-jsonnet';
import type { Model } from '../../model/types.js';
import { DASHBOARDS_DIR } from '../../paths.js';
import { inParallel } from '../../in-parallel.js';
import { dashboardViewModel } from './view-model.js';
import { DashboardError } from './errors.js';
import { placeOnGrid, type GridPanel } from './layout.js';

const MAX_STACK = 100_000;

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly [key: string]: unknown;
}

/** File name (e.g. registry.json) -> dashboard JSON object, sorted by file name. */
export async function renderDashboards(model: Model, overridesFile?: string): Promise<Map<string, Dashboard>> {
  const all = new Map<string, Dashboard>();
  await streamDashboards(model, overridesFile, (file, dashboard) => all.set(file, dashboard));
  return new Map([...all.keys()].sort().map((file) => [file, all.get(file)!]));
}

// Services per jsonnet evaluation: small enough that a chunk's view model parses in
// milliseconds, large enough that the fixed cost of an evaluation does not matter.
const CHUNK = 25;
const UPGRADES = 'upgrades.json';

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
}

/**
 * Stacks pieces of a dashboard laid out separately, each starting with a row: what the grid
 * layout gives for the whole list, since a row always starts at the bottom of what is above.
 */
export function stackPanels(pieces: readonly (readonly Panel[])[]): Panel[] {
  const out: Panel[] = [];
  let y = 0;
  for (const piece of pieces) {
    if (!piece.length) continue;
    if (piece[0]!.type !== 'row') throw new DashboardError('a piece of the upgrade watch does not start with a row');
    const ids = out.length;
    for (const p of piece) out.push({ ...p, id: p.id + ids, gridPos: { ...p.gridPos, y: p.gridPos.y + y } });
    y += Math.max(...piece.map((p) => p.gridPos.y + p.gridPos.h));
  }
  return out;
}

/** Splits laid-out panels into pieces at their rows, each renumbered as if laid out alone (ids from 1, its row at y 0). */
export function piecesAtRows(panels: readonly Panel[]): Panel[][] {
  const pieces: Panel[][] = [];
  for (const p of panels) {
    if (p.type === 'row') pieces.push([]);
    const piece = pieces[pieces.length - 1];
    if (!piece) throw new DashboardError('the upgrade watch does not start with a row');
    piece.push(p);
  }
  return pieces.map((piece) => {
    const first = piece[0]!;
    return piece.map((p) => ({ ...p, id: p.id - first.id + 1, gridPos: { ...p.gridPos, y: p.gridPos.y - first.gridPos.y } }));
  });
}

/**
 * Each service's piece of an upgrade watch written before (`panels`, as in upgrades.json): a
 * row titled with the service's name and the panels under it. A service whose files are reused
 * takes its piece from here instead of evaluating it again.
 */
export function upgradePiecesOf(panels: readonly Panel[]): Map<string, Panel[]> {
  return new Map(piecesAtRows(panels).map((piece) => [(piece[0] as Panel & { title?: string }).title ?? '', piece]));
}

/**
 * Evaluates the dashboards in independent pieces, several at a time on the addon's worker
 * threads, handing each dashboard to `onDashboard` as its piece finishes (in no fixed order):
 * one piece for the overview and the frame of the upgrade watch, and one per chunk of
 * services, with those services' dashboards and their part of the upgrade watch, which is
 * stacked at the end. Evaluating it all at once parsed the whole view model in one go and
 * held every dashboard in memory (5 GB at 5,000 services, 40 s for the upgrade watch alone).
 * Overrides apply to each dashboard; the upgrade watch's panels come from the templates.
 *
 * `skip` names services whose dashboards are not wanted (reused from a previous pack). The
 * upgrade watch still shows them: from `previousPieces` (upgradePiecesOf the watch that pack
 * holds) when it has theirs, so a pack with one service changed evaluates that service alone.
 */
export async function streamDashboards(
  model: Model,
  overridesFile: string | undefined,
  onDashboard: (file: string, dashboard: Dashboard) => void,
  skip: ReadonlySet<string> = new Set(),
  previousPieces: ReadonlyMap<string, readonly Panel[]> = new Map(),
): Promise<void> {
  // Only the services evaluated here are described: building every service's view (every
  // query of every SLI) took seconds at 5,000 services when all but one were reused.
  const pieces = new Map<string, readonly Panel[]>();
  for (const s of model.services) if (skip.has(s.name) && previousPieces.has(s.name)) pieces.set(s.name, previousPieces.get(s.name)!);
  const vm = dashboardViewModel(model, model.services.filter((s) => !pieces.has(s.name)));
  const base = overridesFile ? `((import 'main.jsonnet') + (import ${JSON.stringify(resolve(overridesFile))}))` : "(import 'main.jsonnet')";
  const evaluate = async (view: unknown, select: string): Promise<{ dashboards: Record<string, Dashboard>; upgradePanels?: Panel[] }> => {
    let out: { dashboards: Record<string, Dashboard>; upgradePanels?: GridPanel[] };
    const jsonnet = new Jsonnet().setMaxStack(MAX_STACK).addJpath(DASHBOARDS_DIR).extCode('model', JSON.stringify(view));
    try {
      // std.toString manifests natively and without indentation: about a quarter less time
      // than jsonnet's indented output, which the pack re-indents anyway. The result is a
      // JSON string holding the JSON.
      const text = await jsonnet.evaluateSnippet(`local all = ${base}.grafanaDashboards;\nstd.toString(${select})`, 'slokit-dashboards.jsonnet');
      out = JSON.parse(JSON.parse(text) as string) as { dashboards: Record<string, Dashboard>; upgradePanels?: GridPanel[] };
    } catch (e) {
      throw new DashboardError(`dashboard templates failed to evaluate${overridesFile ? ` with overrides ${overridesFile}` : ''}:\n${(e as Error).message}`);
    }
    const place = (what: string, panels: readonly GridPanel[]) => {
      try {
        return placeOnGrid(panels);
      } catch (e) {
        throw new DashboardError(`${what}${overridesFile ? ` (with overrides ${overridesFile})` : ''}: ${(e as Error).message}`);
      }
    };
    const dashboards = Object.fromEntries(
      Object.entries(out.dashboards).map(([file, d]) => [file, Array.isArray(d.panels) ? { ...d, panels: place(file, d.panels as GridPanel[]) } : d]),
    );
    return { dashboards, upgradePanels: out.upgradePanels && (place('upgrades.json', out.upgradePanels) as Panel[]) };
  };
  // The overview reads only how many SLIs each service has: the rest of the view model
  // (every query of every SLI) cost seconds and gigabytes to parse at 5,000 services.
  const platformView = { ...vm, services: model.services.map((svc) => ({ name: svc.name, slis: svc.slis.map((sli) => ({ name: sli.name })) })) };
  let upgradesFrame: Dashboard | undefined;
  const jobs: (() => Promise<void>)[] = [
    async () => {
      // jsonnet is lazy: neither the service dashboards nor the upgrade panels are evaluated here.
      // Membership by indexing an object that has every field: std.objectHas lists the
      // object's fields on each call, which made this filter quadratic (8 s at 5,000 services).
      const { dashboards } = await evaluate(
        platformView,
        `local isService = { [f]: false for f in std.objectFields(all) } + { [s.name + '.json']: true for s in std.extVar('model').services };
        { dashboards: { [f]: if f == '${UPGRADES}' then all[f] { panels: [] } else all[f] for f in std.objectFields(all) if !isService[f] } }`,
      );
      for (const [file, dashboard] of Object.entries(dashboards)) {
        if (file === UPGRADES) upgradesFrame = dashboard;
        else onDashboard(file, dashboard);
      }
    },
  ];
  const evaluated = vm.services;
  for (let i = 0; i < evaluated.length; i += CHUNK) {
    const chunk = evaluated.slice(i, i + CHUNK);
    const files = JSON.stringify(chunk.filter((s) => !skip.has(s.name)).map((s) => `${s.name}.json`));
    jobs.push(async () => {
      const out = await evaluate({ ...vm, services: chunk }, `{ dashboards: { [f]: all[f] for f in ${files} }, upgradePanels: (import 'upgrades.libsonnet').panels(std.extVar('model')) }`);
      for (const [file, dashboard] of Object.entries(out.dashboards)) onDashboard(file, dashboard);
      const split = piecesAtRows(out.upgradePanels ?? []);
      if (split.length !== chunk.length) throw new DashboardError(`the upgrade watch has ${split.length} rows for ${chunk.length} services: each service's part must start with one row`);
      chunk.forEach((s, k) => pieces.set(s.name, split[k]!));
    });
  }
  await inParallel(jobs, Math.min(availableParallelism(), 4), (job) => job());
  if (upgradesFrame) onDashboard(UPGRADES, { ...upgradesFrame, panels: stackPanels(model.services.map((s) => pieces.get(s.name)!)) });
}
