/** Evaluates the jsonnet dashboard templates (dashboards/) with the view model as data. */
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

/** File name (e.g. registry.json) -> dashboard JSON object. */
export async function renderDashboards(model: Model, overridesFile?: string): Promise<Map<string, Dashboard>> {
  // The grid layout folds over every panel; large catalogs need more than jsonnet's default 500 frames.
  const jsonnet = new Jsonnet().setMaxStack(MAX_STACK).addJpath(DASHBOARDS_DIR).extCode('model', JSON.stringify(dashboardViewModel(model)));
  const base = "(import 'main.jsonnet')";
  const snippet = overridesFile ? `(${base} + (import ${JSON.stringify(resolve(overridesFile))})).grafanaDashboards` : `${base}.grafanaDashboards`;
  let text: string;
  try {
    text = await jsonnet.evaluateSnippet(snippet, 'slokit-dashboards.jsonnet');
  } catch (e) {
    throw new DashboardError(`dashboard templates failed to evaluate${overridesFile ? ` with overrides ${overridesFile}` : ''}:\n${(e as Error).message}`);
  }
  const parsed = JSON.parse(text) as Record<string, Dashboard>;
  return new Map(Object.keys(parsed).sort().map((name) => [name, parsed[name]!]));
}
