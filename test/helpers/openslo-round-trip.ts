/**
 * Exports a model to OpenSLO and imports it back in memory; returns what did not survive of
 * what OpenSLO can express (services, teams, tiers, SLI names, descriptions, objectives,
 * periods, events (not raw, apdex, bool-gauge or combined SLIs, which the export reports); significant labels, user_facing and alert switches in slokit's own annotations, SLI owners in labels), one line
 * per difference.
 */
import { isDeepStrictEqual } from 'node:util';
import { exportOpenSlo } from '../../generators/export/openslo.js';
import { parseYamlDocuments } from '../../generators/load/yaml-source.js';
import { ownAlertLabels } from '../../generators/model/alert-extras.js';
import type { Model, Sli } from '../../generators/model/types.js';
import { importOpenSlo } from '../../generators/import/openslo.js';
import { parseSelector } from '../../generators/promql/parse.js';

/** Whether OpenSLO can carry an SLI's events: one counter pair, or one histogram without apdex's half events. */
export function openSloCanSay(sli: Sli): boolean {
  const ev = sli.events;
  if (ev.type === 'counters') return [ev.bad, ev.good, ev.total].every((list) => !list || list.length === 1);
  return ev.type === 'histogram' && ev.parts.length === 1 && ev.parts[0]!.tolerated === undefined;
}

export function openSloRoundTripDifferences(model: Model): string[] {
  const exported = exportOpenSlo(model);
  const parsed = parseYamlDocuments('exported.yaml', exported.text);
  if (parsed.problems.length) return parsed.problems.map((p) => `export does not parse: ${p.line}:${p.col} ${p.message}`);
  const result = importOpenSlo(parsed.sources, { ownLabels: new Set(ownAlertLabels(model.settings)) });
  const problems = result.findings.filter((f) => f.level !== 'note').map((f) => `import: ${f.line}:${f.col} ${f.level}: ${f.message}`);
  const diffs: string[] = [...problems];
  for (const service of model.services) {
    const back = result.services.find((s) => s.name === service.name);
    const slis = service.slis.filter(openSloCanSay);
    if (!slis.length) continue;
    if (!back) {
      diffs.push(`${service.name}: not imported back`);
      continue;
    }
    const same = (what: string, a: unknown, b: unknown) => !isDeepStrictEqual(a, b) && diffs.push(`${service.name}: ${what}: ${JSON.stringify(a)} came back as ${JSON.stringify(b)}`);
    same('description', service.description, back.description);
    same('team', service.team.name, back.team);
    same('tier', service.tier, back.tier);
    same('SLIs', slis.map((x) => x.name), back.slis.map((x) => x.name));
    for (const sli of slis) {
      const b = back.slis.find((x) => x.name === sli.name);
      if (!b) continue;
      same(`${sli.name} description`, sli.description, b.description);
      same(`${sli.name} objective`, Number((sli.objective * 100).toPrecision(12)), b.objective);
      same(`${sli.name} period`, sli.period.text, b.period);
      const drill = b as { significant_labels?: string[]; user_facing?: boolean };
      same(`${sli.name} significant_labels`, sli.significantLabels, drill.significant_labels ?? []);
      same(`${sli.name} user_facing`, sli.userFacing, drill.user_facing);
      same(`${sli.name} report objectives`, sli.reportObjectives.map((o) => ({ name: o.name, objective: Number((o.objective * 100).toPrecision(12)) })), b.report_objectives ?? []);
      // Owner and alert switches, where they differ from the service's, in labels and slokit's annotations.
      same(`${sli.name} team`, sli.team.name, b.team ?? back.team);
      same(`${sli.name} experimental`, sli.experimental, b.experimental ?? false);
      if (!sli.experimental) {
        same(`${sli.name} pages`, sli.pages, b.alerting?.pages ?? service.pages);
        same(`${sli.name} traffic cessation`, sli.cessationAlert, b.alerting?.traffic_cessation ?? true);
      }
      const sel = (t: string | undefined) => (t === undefined ? undefined : (parseSelector(t) as { ok: true; value: unknown }).value);
      // A field as a list of selectors, as the model holds it (one selector is a list of one).
      const sels = (t: string | string[] | undefined) => (t === undefined ? undefined : (Array.isArray(t) ? t : [t]).map(sel));
      const ev = sli.events;
      if (ev.type === 'counters') same(`${sli.name} events`, { bad: ev.bad, good: ev.good, total: ev.total }, { bad: sels(b.bad), good: sels(b.good), total: sels(b.total) });
      else if (ev.type === 'histogram') same(`${sli.name} events`, { histogram: ev.parts[0]!.histogram, threshold: ev.parts[0]!.satisfied }, { histogram: sel(b.histogram), threshold: b.threshold });
    }
  }
  return diffs;
}
