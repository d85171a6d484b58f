/**
 * The grid placement of dashboard panels (generators/emit/dashboards/layout.ts), against what
 * Grafana's grid means: 24 columns, panels in list order left to right, a panel that does not
 * fit starts the next line below the tallest panel of the line, and a row takes a line of its own.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeOnGrid, type GridPanel } from '../generators/emit/dashboards/layout.js';

const panel = fc.oneof(
  { weight: 1, arbitrary: fc.constant<GridPanel>({ type: 'row', gridPos: { w: 24, h: 1 } }) },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('timeseries'), gridPos: fc.record({ w: fc.integer({ min: 1, max: 24 }), h: fc.integer({ min: 1, max: 12 }) }) }) },
);

describe('panels placed on the grid', () => {
  it('never overlap, stay inside 24 columns, keep list order, and leave no gap a panel would have fitted', () => {
    fc.assert(
      fc.property(fc.array(panel, { maxLength: 40 }), (panels) => {
        const placed = placeOnGrid(panels);
        expect(placed.map((p) => p.id)).toEqual(panels.map((_, i) => i + 1));
        placed.forEach((p, i) => {
          const g = p.gridPos;
          expect([g.w, g.h]).toEqual([panels[i]!.gridPos.w, panels[i]!.gridPos.h]);
          expect(g.x + g.w).toBeLessThanOrEqual(24);
          if (p.type === 'row') expect(g.x).toBe(0);
          for (const q of placed.slice(0, i)) {
            const o = q.gridPos;
            const apart = g.x >= o.x + o.w || o.x >= g.x + g.w || g.y >= o.y + o.h || o.y >= g.y + g.h;
            expect(apart, `panel ${i + 1} overlaps panel ${q.id}`).toBe(true);
          }
          const before = placed[i - 1];
          if (!before) return expect([g.x, g.y]).toEqual([0, 0]);
          const b = before.gridPos;
          // Reading order: on the same line right after the one before, or at the start of a line below it.
          if (g.y === b.y && p.type !== 'row' && before.type !== 'row') expect(g.x).toBe(b.x + b.w);
          else {
            expect(g.x).toBe(0);
            expect(g.y).toBeGreaterThanOrEqual(b.y + (before.type === 'row' ? 1 : 0));
            // A new line only when the panel did not fit on the one before, or a row starts or ended.
            if (p.type !== 'row' && before.type !== 'row') expect(b.x + b.w + g.w).toBeGreaterThan(24);
            // Directly below the tallest panel of the line before: nothing is left between.
            const line = placed.slice(0, i).filter((q) => q.gridPos.y === b.y);
            expect(g.y).toBe(Math.max(...line.map((q) => q.gridPos.y + q.gridPos.h)));
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a panel without a size, naming it and saying how to give it one', () => {
    expect(() => placeOnGrid([{ type: 'row', gridPos: { w: 24, h: 1 } }, { type: 'text', title: 'On-call notes' } as unknown as GridPanel])).toThrow(
      /panel 2 \("On-call notes"\) has no size: give it gridPos: \{ w: WIDTH, h: HEIGHT \}/,
    );
  });
});
