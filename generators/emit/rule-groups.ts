/**
 * One rule file per service: rules gathered into groups by family (fast windows and pages,
 * slow windows and tickets, SLO bookkeeping, service roll-up), each at most 20 rules, with an
 * explicit interval. An SLI's rules stay together and in dependency order where they fit.
 */
import type { Model, Service } from '../model/types.js';
import { groupName, type RuleFamily } from '../naming.js';
import { alertDefs, type AlertDef } from './alert-rules.js';
import { serviceRollupRules, sliRecordingRules, sloRecordingRules, versionRule } from './recording-rules.js';
import type { Rule, RuleGroup } from './rule-types.js';
import { planWindows } from './window-plan.js';
import { saturationBlocks, type SaturationAlertDef } from './saturation-rules.js';

export const MAX_RULES_PER_GROUP = 20;

export interface Block {
  readonly interval: string;
  readonly rules: readonly Rule[];
}

/** Packs blocks into groups of at most MAX_RULES_PER_GROUP, splitting only blocks that are too big. */
export function packGroups(service: Service, family: RuleFamily | 'service', blocks: readonly Block[]): RuleGroup[] {
  const byInterval = new Map<string, Block[]>();
  for (const b of blocks) if (b.rules.length) byInterval.set(b.interval, [...(byInterval.get(b.interval) ?? []), b]);
  const groups: { interval: string; rules: Rule[] }[] = [];
  for (const [interval, list] of byInterval) {
    let current: Rule[] = [];
    const flush = () => {
      if (current.length) groups.push({ interval, rules: current });
      current = [];
    };
    for (const b of list) {
      if (current.length + b.rules.length > MAX_RULES_PER_GROUP) flush();
      for (const r of b.rules) {
        if (current.length === MAX_RULES_PER_GROUP) flush();
        current.push(r);
      }
    }
    flush();
  }
  return groups.map((g, i) => ({ name: groupName(service, family, i), interval: g.interval, rules: g.rules }));
}

export interface ServiceRules {
  readonly groups: readonly RuleGroup[];
  readonly alerts: readonly { readonly sliName: string; readonly def: AlertDef }[];
  readonly saturationAlerts: readonly SaturationAlertDef[];
}

/** The last services' rules: enough for the readers of one service, and memory stays flat at 5,000 services. */
const recent: { model: Model; service: Service; rules: ServiceRules }[] = [];
const RECENT = 4;

/**
 * The service's rule groups, built once while the pack writes that service: its rule file,
 * runbook and split rulers all read them (building them three times was a fifth of generating
 * a large catalog). Only the last few are kept: keeping every service's cost a gigabyte at
 * 5,000 services. Callers must not change what they get.
 */
export function serviceRules(model: Model, service: Service): ServiceRules {
  const hit = recent.find((r) => r.model === model && r.service === service);
  if (hit) return hit.rules;
  const rules = buildServiceRules(model, service);
  recent.unshift({ model, service, rules });
  recent.length = Math.min(recent.length, RECENT);
  return rules;
}

function buildServiceRules(model: Model, service: Service): ServiceRules {
  const fast: Block[] = [];
  const slow: Block[] = [];
  const slo: Block[] = [];
  const alerts: { sliName: string; def: AlertDef }[] = [];
  for (const sli of service.slis) {
    const rec = sliRecordingRules(model, service, sli);
    const defs = alertDefs(model, service, sli);
    alerts.push(...defs.map((def) => ({ sliName: sli.name, def })));
    const ev = sli.evaluation;
    fast.push({ interval: ev.fastInterval.text, rules: [...rec.fast, ...defs.filter((d) => d.family === 'fast').map((d) => d.rule)] });
    slow.push({ interval: ev.slowInterval.text, rules: [...rec.slow, ...defs.filter((d) => d.family === 'slow').map((d) => d.rule)] });
    slo.push({ interval: ev.fastInterval.text, rules: sloRecordingRules(service, sli) });
  }
  const saturation = saturationBlocks(model, service);
  // Roll up the windows every SLI of the service records, each at its own family's pace.
  const first = service.slis[0]!;
  const shared = planWindows(first).filter((p) => service.slis.every((s) => planWindows(s).some((q) => q.window.seconds === p.window.seconds)));
  const rollupFast = serviceRollupRules(model, service, shared.filter((p) => p.family !== 'slow').map((p) => p.window));
  const rollupSlow = serviceRollupRules(model, service, shared.filter((p) => p.family === 'slow').map((p) => p.window));
  const version = versionRule(model, service);
  const groups = [
    ...packGroups(service, 'fast', fast),
    ...packGroups(service, 'slow', slow),
    ...packGroups(service, 'slo', slo),
    ...packGroups(service, 'service', [
      { interval: first.evaluation.fastInterval.text, rules: rollupFast },
      { interval: first.evaluation.slowInterval.text, rules: rollupSlow },
      // At the fast pace: a rollout takes minutes, and the upgrade dashboard shows it as it happens.
      { interval: first.evaluation.fastInterval.text, rules: version ? [version] : [] },
    ]),
    ...packGroups(service, 'saturation', saturation.blocks),
  ];
  return { groups, alerts, saturationAlerts: saturation.alerts };
}
