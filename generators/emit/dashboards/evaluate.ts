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

/**
 * Evaluates the dashboards in independent pieces, several at a time on the addon's worker
 * threads, handing each dashboard to `onDashboard` as its piece finishes (in no fixed order):
 * one piece per chunk of services, the first also evaluating the platform dashboards (overview,
 * upgrade watch, journeys). Evaluating it all at once parsed the whole view model in one go and held every
 * dashboard in memory (5 GB at 5,000 services). Overrides apply to each dashboard.
 *
 * `skip` names services whose dashboards are not wanted (reused from a previous pack).
 */
export async function streamDashboards(
  model: Model,
  overridesFile: string | undefined,
  onDashboard: (file: string, dashboard: Dashboard) => void,
  skip: ReadonlySet<string> = new Set(),
): Promise<void> {
  // Only the services evaluated here are described: building every service's view (every
  // query of every SLI) took seconds at 5,000 services when all but one were reused.
  const vm = dashboardViewModel(model, model.services.filter((s) => !skip.has(s.name)));
  const base = overridesFile ? `((import 'main.jsonnet') + (import ${JSON.stringify(resolve(overridesFile))}))` : "(import 'main.jsonnet')";
  const evaluate = async (view: unknown, select: string): Promise<Record<string, Dashboard>> => {
    let out: Record<string, Dashboard>;
    const jsonnet = new Jsonnet().setMaxStack(MAX_STACK).addJpath(DASHBOARDS_DIR).extCode('model', JSON.stringify(view));
    try {
      // std.toString manifests natively and without indentation: about a quarter less time
      // than jsonnet's indented output, which the pack re-indents anyway. The result is a
      // JSON string holding the JSON.
      const text = await jsonnet.evaluateSnippet(`local all = ${base}.grafanaDashboards;\nstd.toString(${select})`, 'slokit-dashboards.jsonnet');
      out = JSON.parse(JSON.parse(text) as string) as Record<string, Dashboard>;
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
    return Object.fromEntries(Object.entries(out).map(([file, d]) => [file, Array.isArray(d.panels) ? { ...d, panels: place(file, d.panels as GridPanel[]) } : d]));
  };
  // The platform dashboards read only each service's name and SLI names: the rest of the
  // view model (every query of every SLI) cost seconds and gigabytes to parse at 5,000 services.
  // They are evaluated with the first chunk of services, whose entries are given whole: each
  // evaluation starts by loading jsonnet's standard library (about 35 ms), which for the small
  // catalogs most packs come from was a third of the dashboards' time.
  const chunks: (typeof vm.services)[] = [];
  for (let i = 0; i < vm.services.length; i += CHUNK) chunks.push(vm.services.slice(i, i + CHUNK));
  const selectFiles = (chunk: typeof vm.services) => `{ [f]: all[f] for f in ${JSON.stringify(chunk.map((s) => `${s.name}.json`))} }`;
  const first = new Map((chunks[0] ?? []).map((s) => [s.name, s]));
  const platformView = {
    ...vm,
    services: model.services.map((svc) => first.get(svc.name) ?? { name: svc.name, slis: svc.slis.map((sli) => ({ name: sli.name })) }),
  };
  const jobs: (() => Promise<void>)[] = [
    async () => {
      // jsonnet is lazy: the dashboards of services outside the first chunk are not evaluated
      // here. Membership by indexing an object that has every field: std.objectHas lists the
      // object's fields on each call, which made this filter quadratic (8 s at 5,000 services).
      const dashboards = await evaluate(
        platformView,
        `local isService = { [f]: false for f in std.objectFields(all) } + { [s.name + '.json']: true for s in std.extVar('model').services };
        { [f]: all[f] for f in std.objectFields(all) if !isService[f] } + ${selectFiles(chunks[0] ?? [])}`,
      );
      for (const [file, dashboard] of Object.entries(dashboards)) onDashboard(file, dashboard);
    },
    ...chunks.slice(1).map((chunk) => async () => {
      const dashboards = await evaluate({ ...vm, services: chunk }, selectFiles(chunk));
      for (const [file, dashboard] of Object.entries(dashboards)) onDashboard(file, dashboard);
    }),
  ];
  await inParallel(jobs, Math.min(availableParallelism(), 4), (job) => job());
}
