/**
 * Places panels on Grafana's 24-column grid, left to right, wrapping lines; a row takes a
 * whole line. Ids follow placement order, so they are stable for the same catalog.
 *
 * The templates give each panel its size (gridPos w and h) and its place in the list; the
 * generator places them here, after any override file is merged, so a panel an admin adds
 * is placed like the others. Done in jsonnet, extending every panel with its place cost a
 * quarter of evaluating the dashboards.
 */
import { DashboardError } from './errors.js';

export interface GridPanel {
  readonly type: string;
  readonly gridPos: { readonly w: number; readonly h: number };
}

const WIDTH = 24;

/** The panel with its id and full gridPos, fields in jsonnet's (sorted) order. */
function placed<P extends GridPanel>(panel: P, id: number, x: number, y: number): P & { id: number; gridPos: { h: number; w: number; x: number; y: number } } {
  const fields: Record<string, unknown> = { ...(panel as object), id, gridPos: { h: panel.gridPos.h, w: panel.gridPos.w, x, y } };
  return Object.fromEntries(Object.keys(fields).sort().map((k) => [k, fields[k]])) as never;
}

export function placeOnGrid<P extends GridPanel>(panels: readonly P[]): (P & { id: number; gridPos: { h: number; w: number; x: number; y: number } })[] {
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  return panels.map((p, i) => {
    const { w, h } = p.gridPos ?? {};
    if (typeof w !== 'number' || typeof h !== 'number') {
      const name = JSON.stringify((p as { title?: unknown }).title ?? p.type);
      throw new DashboardError(`panel ${i + 1} (${name}) has no size: give it gridPos: { w: WIDTH, h: HEIGHT } (grid units; the generator places it)`);
    }
    if (p.type === 'row') {
      y += lineHeight;
      const row = placed(p, i + 1, 0, y);
      y += 1;
      x = 0;
      lineHeight = 0;
      return row;
    }
    if (x + w > WIDTH) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const panel = placed(p, i + 1, x, y);
    x += w;
    lineHeight = Math.max(lineHeight, h);
    return panel;
  });
}
