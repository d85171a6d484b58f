/**
 * Dashboard lint, in the spirit of Grafana's dashboard-linter: each check is a small named
 * unit that returns findings. Used by the tests on every generated dashboard.
 */
import { parser } from '@prometheus-io/lezer-promql';

export interface Finding {
  readonly check: string;
  readonly dashboard: string;
  readonly panel?: string;
  readonly message: string;
}

interface Panel {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { expr?: string; datasource?: { uid?: string } }[];
}

export interface DashboardJson {
  uid: string;
  title: string;
  description?: string;
  panels?: Panel[];
  templating?: { list?: { name: string; type: string; query?: unknown }[] };
}

type Check = (d: DashboardJson) => Omit<Finding, 'check' | 'dashboard'>[];

const contentPanels = (d: DashboardJson) => (d.panels ?? []).filter((p) => p.type !== 'row');
const targetsOf = (d: DashboardJson) => contentPanels(d).flatMap((p) => (p.targets ?? []).map((t) => ({ p, t })));

/** Grafana variables replaced by values PromQL accepts, so the expression can be parsed. */
export function withVariablesResolved(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m');
}

export function promqlError(expr: string): string | undefined {
  let at: number | undefined;
  parser.parse(expr).iterate({
    enter: (n) => {
      if (at === undefined && n.type.isError) at = n.from;
    },
  });
  return at === undefined ? undefined : `does not parse near ${JSON.stringify(expr.slice(at, at + 30))}`;
}

/** Stands in for $__rate_interval so the parsed range still says whether it was used. */
const RATE_INTERVAL_MARK = '7777777s';
const RATE_FUNCTIONS = new Set(['rate', 'irate', 'increase']);

/** The range of every rate(), irate() and increase() in a query, read from its syntax tree (so brackets inside label values do not count). */
function rateRanges(expr: string): { fn: string; range: string }[] {
  const text = withVariablesResolved(expr.replaceAll('$__rate_interval', RATE_INTERVAL_MARK));
  const out: { fn: string; range: string }[] = [];
  parser.parse(text).iterate({
    enter: (n) => {
      if (n.name !== 'FunctionCall') return;
      const fnNode = n.node.getChild('FunctionIdentifier');
      const fn = fnNode ? text.slice(fnNode.from, fnNode.to) : '';
      if (!RATE_FUNCTIONS.has(fn)) return;
      const arg = n.node.getChild('FunctionCallBody')?.firstChild;
      const range = arg && (arg.name === 'MatrixSelector' || arg.name === 'SubqueryExpr') ? arg.getChild('DurationExpr') : null;
      if (range) out.push({ fn, range: text.slice(range.from, range.to) });
    },
  });
  return out;
}

export const CHECKS: Record<string, Check> = {
  'template-datasource': (d) => {
    const ds = (d.templating?.list ?? []).filter((v) => v.type === 'datasource');
    if (ds.length !== 1) return [{ message: `has ${ds.length} datasource variables; exactly one is expected` }];
    return ds[0]!.query === 'prometheus' ? [] : [{ message: 'the datasource variable must select Prometheus data sources' }];
  },
  'panel-datasource': (d) =>
    contentPanels(d)
      .filter((p) => p.type !== 'text')
      .flatMap((p) => [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)].filter((u) => u !== '${datasource}').map(() => ({ panel: p.title, message: 'uses a data source other than ${datasource}' }))),
  'target-rate-interval': (d) =>
    targetsOf(d).flatMap(({ p, t }) =>
      rateRanges(t.expr ?? '')
        .filter((r) => r.range !== RATE_INTERVAL_MARK)
        .map((r) => ({ panel: p.title, message: `${r.fn}() over [${r.range}]; use [$__rate_interval]` })),
    ),
  'target-promql': (d) =>
    targetsOf(d).flatMap(({ p, t }) => {
      const err = t.expr ? promqlError(withVariablesResolved(t.expr)) : 'has no expression';
      return err ? [{ panel: p.title, message: `query ${err}` }] : [];
    }),
  'panel-units': (d) => contentPanels(d).filter((p) => !p.fieldConfig?.defaults?.unit).map((p) => ({ panel: p.title, message: 'has no unit' })),
  'panel-title-description': (d) => [
    ...(d.title && d.description ? [] : [{ message: 'dashboard needs a title and a description' }]),
    ...contentPanels(d)
      .filter((p) => !p.title || !p.description)
      .map((p) => ({ panel: p.title ?? `#${p.id}`, message: 'needs a title and a description' })),
  ],
  'panel-ids-unique': (d) => {
    const ids = (d.panels ?? []).map((p) => p.id);
    return new Set(ids).size === ids.length && ids.every((i) => typeof i === 'number') ? [] : [{ message: 'panel ids are missing or repeated' }];
  },
  'grid-no-overlap': (d) => {
    const out: Omit<Finding, 'check' | 'dashboard'>[] = [];
    const placed = (d.panels ?? []).filter((p) => p.gridPos);
    placed.forEach((a, i) => {
      const g = a.gridPos!;
      if (g.x < 0 || g.w < 1 || g.x + g.w > 24) out.push({ panel: a.title, message: 'does not fit the 24-column grid' });
      for (const b of placed.slice(i + 1)) {
        const h = b.gridPos!;
        if (g.x < h.x + h.w && h.x < g.x + g.w && g.y < h.y + h.h && h.y < g.y + g.h) out.push({ panel: a.title, message: `overlaps panel "${b.title}"` });
      }
    });
    return out;
  },
};

export function lintDashboard(d: DashboardJson): Finding[] {
  return Object.entries(CHECKS).flatMap(([check, run]) => run(d).map((f) => ({ check, dashboard: d.uid, ...f })));
}
