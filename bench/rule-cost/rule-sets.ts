/**
 * The three rule sets the rule-cost benchmark compares for one SLO (Sloth's getting-started
 * example: 99.9% of myservice's requests are not 5xx or 429):
 * - slokit's rules, generated from a one-service catalog;
 * - Sloth's published output for the same spec (read from ../shared/reference when present);
 * - the naive set: every window's ratio straight from raw series, written from the formula.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { serviceRules } from '../../generators/emit/rule-groups.js';
import type { RuleGroup } from '../../generators/emit/rule-types.js';
import { windowsOf } from '../../generators/emit/window-plan.js';
import { formatNumber } from '../../generators/model/decimal.js';
import { selectorText } from '../../generators/promql/escape.js';
import type { Model } from '../../generators/model/types.js';
import { BUNDLED_CATALOG, PROJECT_ROOT } from '../../generators/paths.js';
import { loadModel } from '../../generators/pipeline.js';
import { JOB, METRIC } from './synthetic-traffic.js';

export const BAD_SELECTOR = `${METRIC}{job="${JOB}",code=~"(5..|429)"}`;
export const TOTAL_SELECTOR = `${METRIC}{job="${JOB}"}`;

export interface RuleSet {
  readonly name: string;
  readonly groups: readonly RuleGroup[];
  /** The recorded error ratio of a window, by window text ("5m", "30d"), when the set records it. */
  readonly ratioRecord: (window: string) => string;
}

export const SLOTH_REFERENCE = join(PROJECT_ROOT, '..', 'shared', 'reference', 'sloth');

/** A model from the bundled defaults and teams plus one service file. */
export function modelWithService(scratch: string, name: string, serviceYaml: string): Model {
  const catalog = join(scratch, 'catalog');
  mkdirSync(join(catalog, 'services'), { recursive: true });
  cpSync(join(BUNDLED_CATALOG, 'defaults.yaml'), join(catalog, 'defaults.yaml'));
  cpSync(join(BUNDLED_CATALOG, 'teams.yaml'), join(catalog, 'teams.yaml'));
  writeFileSync(join(catalog, 'services', `${name}.yaml`), `name: ${name}\n${serviceYaml}`);
  const { model, problems } = loadModel(catalog);
  if (!model) throw new Error(`bench catalog does not load:\n${problems.map((p) => p.message).join('\n')}`);
  return model;
}

function benchModel(scratch: string): Model {
  return modelWithService(
    scratch,
    'myservice',
    [
      "description: Sloth's getting-started service.",
      'team: web-platform',
      'tier: 2',
      'slis:',
      '  - name: requests-availability',
      '    description: Requests not answered with 5xx or 429.',
      '    kind: error-ratio',
      `    bad: '${BAD_SELECTOR}'`,
      `    total: '${TOTAL_SELECTOR}'`,
      '    objective: 99.9',
      '',
    ].join('\n'),
  );
}

/** slokit's rule groups for the model's first service. */
export function slokitRules(model: Model): RuleSet {
  return { name: 'slokit', groups: serviceRules(model, model.services[0]!).groups, ratioRecord: (w) => `sli:error:ratio_rate${w}` };
}

export function slokitRuleSet(scratch: string): { set: RuleSet; model: Model } {
  const model = benchModel(scratch);
  return { model, set: slokitRules(model) };
}

/** Sloth's groups have no interval: they run at the global evaluation_interval, 1m by default. */
export function slothRuleSet(): RuleSet | undefined {
  const file = join(SLOTH_REFERENCE, 'out', 'getting-started.yml');
  if (!existsSync(file)) return undefined;
  const doc = parse(readFileSync(file, 'utf8')) as { groups: { name: string; interval?: string; rules: Record<string, unknown>[] }[] };
  return {
    name: 'sloth',
    groups: doc.groups.map((g) => ({
      name: g.name,
      interval: g.interval ?? '1m',
      rules: g.rules.map((r) =>
        typeof r.alert === 'string'
          ? { alert: r.alert, expr: String(r.expr), labels: (r.labels ?? {}) as Record<string, string>, annotations: (r.annotations ?? {}) as Record<string, string> }
          : { record: String(r.record), expr: String(r.expr), ...(r.labels ? { labels: r.labels as Record<string, string> } : {}) },
      ),
    })),
    ratioRecord: (w) => `slo:sli_error:ratio_rate${w}`,
  };
}

/**
 * For every SLI of the first service (bad and total counters): every window slokit records,
 * each computed from raw series at 1m, and the same alert pairs on them.
 */
export function naiveRuleSet(model: Model): RuleSet {
  const ratio = (w: string) => `naive:error:ratio_rate${w}`;
  const service = model.services[0]!;
  const rules = service.slis.flatMap((sli) => {
    const ev = sli.events;
    if (ev.type !== 'counters' || ev.bad?.length !== 1 || ev.total.length !== 1) throw new Error('the naive rule set needs one bad and one total counter');
    const labels = { service: service.name, sli: sli.name };
    const sel = `{sli="${sli.name}"}`;
    const records = windowsOf(sli).map((w) => ({
      record: ratio(w.text),
      expr: `sum(rate(${selectorText(ev.bad![0]!)}[${w.text}])) / sum(rate(${selectorText(ev.total[0]!)}[${w.text}]))`,
      labels,
    }));
    const alerts = sli.alerts.map((a) => ({
      alert: `Naive${a.name}`,
      expr: `(${ratio(a.short.text)}${sel} > ${formatNumber(a.threshold)}) and (${ratio(a.long.text)}${sel} > ${formatNumber(a.threshold)})`,
      labels: { ...labels, severity: a.severity },
      annotations: {},
    }));
    return [...records, ...alerts];
  });
  return { name: 'naive', groups: [{ name: 'naive', interval: '1m', rules }], ratioRecord: ratio };
}
