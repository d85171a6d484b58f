/** Evaluates the jsonnet dashboard templates (dashboards/) with the view model as data. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Jsonnet } from '@hanazuki/node-jsonnet';
import type { Model } from '../../model/types.js';
import { DASHBOARDS_DIR } from '../../paths.js';
import { dashboardViewModel } from './view-model.js';

export class DashboardError extends Error {}

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
 * one piece for the platform dashboards, which see every service, and one per chunk of
 * services, whose dashboards need only their own part of the view model. Evaluating all of
 * it at once held every dashboard in memory and parsed the whole view model in one go.
 */
export async function streamDashboards(model: Model, overridesFile: string | undefined, onDashboard: (file: string, dashboard: Dashboard) => void): Promise<void> {
  const vm = dashboardViewModel(model);
  const base = overridesFile ? `((import 'main.jsonnet') + (import ${JSON.stringify(resolve(overridesFile))}))` : "(import 'main.jsonnet')";
  const evaluate = async (view: unknown, select: string) => {
    const jsonnet = new Jsonnet().setMaxStack(MAX_STACK).addJpath(DASHBOARDS_DIR).extCode('model', JSON.stringify(view));
    let text: string;
    try {
      text = await jsonnet.evaluateSnippet(`local all = ${base}.grafanaDashboards;\n${select}`, 'slokit-dashboards.jsonnet');
    } catch (e) {
      throw new DashboardError(`dashboard templates failed to evaluate${overridesFile ? ` with overrides ${overridesFile}` : ''}:\n${(e as Error).message}`);
    }
    const parsed = JSON.parse(text) as Record<string, Dashboard>;
    for (const file of Object.keys(parsed)) onDashboard(file, parsed[file]!);
  };
  // The platform dashboards read only these fields of each service: the rest of the view
  // model (every query of every SLI) cost seconds and gigabytes to parse at 5,000 services.
  const platformView = {
    ...vm,
    services: vm.services.map((svc) => ({
      name: svc.name,
      version: svc.version,
      slis: svc.slis.map((sli) => ({ name: sli.name, pageFactors: sli.pageFactors, queries: { burnRates: sli.queries.burnRates.slice(0, 1) } })),
    })),
  };
  const jobs: (() => Promise<void>)[] = [
    // Everything but the service dashboards (jsonnet is lazy: those are never evaluated here).
    () => evaluate(platformView, "local services = { [s.name + '.json']: true for s in std.extVar('model').services };\n{ [f]: all[f] for f in std.objectFields(all) if !std.objectHas(services, f) }"),
  ];
  for (let i = 0; i < vm.services.length; i += CHUNK) {
    const chunk = vm.services.slice(i, i + CHUNK);
    const files = JSON.stringify(chunk.map((s) => `${s.name}.json`));
    jobs.push(() => evaluate({ ...vm, services: chunk }, `{ [f]: all[f] for f in ${files} }`));
  }
  const width = Math.max(1, Math.min(availableParallelism(), 4));
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) await job();
    }),
  );
}
