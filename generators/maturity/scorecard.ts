/**
 * The operational maturity scorecard: each criterion of catalog/maturity.yaml checked for each
 * service from the model and the generated pack (its alert tests run by the real promtool).
 * A service's level is the highest level whose criteria, and those of every level below, are
 * met or skipped with a written reason.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Pack } from '../emit/pack.js';
import { anchors, mdText } from '../emit/runbooks/markdown.js';
import type { MaturityLevel, Model, Service } from '../model/types.js';
import { dashboardUid, outputPaths, runbookFile, runbookPaths } from '../naming.js';
import { dashboardJsonIn } from '../emit/dashboards/delivery.js';
import type { TestIndex } from '../emit/promtool-tests/test-file.js';
import { promtoolAvailable, promtoolVersion, PROMTOOL_MISSING } from '../promtool.js';
import { testPack } from '../test-pack.js';
import type { MaturityCriterion } from '../schema/catalog-schema.js';
import { parsePackYaml } from '../pack-yaml.js';

export interface CriterionResult {
  readonly criterion: MaturityCriterion;
  readonly level: number;
  readonly status: 'met' | 'missing' | 'skipped';
  /** What is missing, or the team's reason for skipping. */
  readonly detail: string;
  /** How to fix it (missing only). */
  readonly fix: string;
}

export interface ServiceScore {
  readonly service: string;
  readonly team: string;
  readonly level: number;
  readonly levelName: string;
  readonly results: readonly CriterionResult[];
}

export const CRITERION_TITLES: Record<MaturityCriterion, string> = {
  owner: 'has an owner team with a pager and a chat channel',
  escalation: 'its team names an escalation',
  objectives: 'every SLI has an objective written by the team',
  'availability-and-latency': 'every user-facing component has an availability and a latency SLI',
  'runbook-steps': 'remediation steps written by the team for every SLI',
  saturation: 'saturation resources declared',
  dependencies: 'dependencies declared (an empty list says "none")',
  sdk: 'adopts the slokit SDK (http or job SLIs)',
  'alert-tests': 'the generated alert tests pass in promtool',
  'dashboards-linked': 'every alert links to its runbook section and its dashboard',
};

type Check = { ok: true } | { ok: false; detail: string; fix: string };
const met: Check = { ok: true };
const missing = (detail: string, fix: string): Check => ({ ok: false, detail, fix });

function catalogChecks(service: Service): Record<Exclude<MaturityCriterion, 'alert-tests' | 'dashboards-linked'>, Check> {
  const file = `services/${service.name}.yaml`;
  const noObjective = service.slis.filter((s) => !service.declared.objectives.includes(s.name)).map((s) => s.name);
  const components = [...new Set(service.slis.filter((s) => s.userFacing).map((s) => s.component))];
  const gaps = components.flatMap((c) => {
    const mine = service.slis.filter((s) => s.userFacing && s.component === c);
    const out: string[] = [];
    if (!mine.some((s) => s.events.type !== 'histogram')) out.push(`${c} has no availability SLI`);
    if (!mine.some((s) => s.events.type === 'histogram')) out.push(`${c} has no latency SLI`);
    return out;
  });
  const noSteps = service.runbook.steps.length ? [] : service.slis.filter((s) => !s.runbook.steps.length).map((s) => s.name);
  return {
    owner: service.team.chat && service.team.pager ? met : missing(`team ${service.team.name} has no pager or chat`, 'fill in pager and chat of the team in teams.yaml'),
    escalation: service.declared.escalation ? met : missing(`team ${service.team.name} names no escalation (pages fall back to ${service.team.pager})`, `add escalation: to team ${service.team.name} in teams.yaml`),
    objectives: noObjective.length ? missing(`SLIs on the tier default: ${noObjective.join(', ')}`, `write objective: on each of them in ${file} (what the team commits to, not the tier's default)`) : met,
    'availability-and-latency': gaps.length ? missing(gaps.join('; '), `add the missing SLIs in ${file} (kind: error-ratio or http for availability; latency, apdex or http with measure: latency)`) : met,
    'runbook-steps': noSteps.length ? missing(`no remediation steps for: ${noSteps.join(', ')}`, `add runbook: { steps: [...] } to the service or to each SLI in ${file}`) : met,
    saturation: service.saturation.length ? met : missing('no saturation resources', `add saturation: to ${file} (e.g. - resource: node-cpu with a selector); see alerts/resources/ for the bundled ones`),
    dependencies: service.declared.dependencies ? met : missing('dependencies are not declared', `add dependencies: [...] to ${file}, or dependencies: [] when it needs no other service`),
    sdk: service.slis.some((s) => s.kind === 'http' || s.kind === 'job') ? met : missing('no SLI reads the SDK\'s standard metrics', 'instrument the service with the slokit SDK and use kind: http or job SLIs; for third-party software, skip this criterion with the reason'),
  };
}

/** Every alert's runbook_url lands on a heading of the generated runbook, and its dashboard_url on a generated dashboard. */
function linkCheck(model: Model, service: Service, pack: Pack): Check {
  const rules = parsePackYaml(pack.files.get(outputPaths.rules(service)) ?? '') as { groups?: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] } | null;
  const runbook = pack.files.get(runbookPaths.file(runbookFile(service))) ?? '';
  const headings = anchors(runbook);
  // The service's dashboard, in whichever form the catalog writes it (outputs).
  const own = dashboardJsonIn((path) => pack.files.get(path), `${service.name}.json`);
  const ownUid = own === undefined ? undefined : (JSON.parse(own) as { uid?: string }).uid;
  const broken: string[] = [];
  for (const g of rules?.groups ?? []) {
    for (const r of g.rules) {
      if (!r.alert) continue;
      const anchor = /#([^#]+)$/.exec(r.annotations?.runbook_url ?? '')?.[1];
      const uid = /\/d\/([^/?]+)/.exec(r.annotations?.dashboard_url ?? '')?.[1];
      if (!anchor || !headings.has(anchor)) broken.push(`${r.alert} runbook_url`);
      if (!uid || uid !== ownUid || uid !== dashboardUid(service)) broken.push(`${r.alert} dashboard_url`);
    }
  }
  const unique = [...new Set(broken)];
  return unique.length ? missing(`broken links: ${unique.join(', ')}`, 'regenerate the pack; if runbook templates were overridden, keep one heading per alert') : met;
}

/** Runs the service's generated test files with promtool; undefined results mean "not run". */
async function alertTestChecks(model: Model, pack: Pack, run: boolean): Promise<Map<string, Check>> {
  const out = new Map<string, Check>();
  if (!run) {
    for (const s of model.services) out.set(s.name, missing('not checked (--no-alert-tests)', 'run slokit scorecard without --no-alert-tests'));
    return out;
  }
  if (!promtoolAvailable()) {
    for (const s of model.services) out.set(s.name, missing('promtool is not installed, so the tests could not run', PROMTOOL_MISSING));
    return out;
  }
  const dir = mkdtempSync(join(tmpdir(), 'slokit-scorecard-'));
  try {
    for (const [path, text] of pack.files) {
      if (!path.startsWith('prometheus/rules/') && !path.startsWith('prometheus/tests/')) continue;
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const results = await testPack(dir, { jobs: cpus().length, changedOnly: false, promtoolVersion: promtoolVersion() });
    const index = JSON.parse(pack.files.get(outputPaths.testIndex)!) as TestIndex;
    for (const s of model.services) {
      const shapes = Object.entries(index.shapes).filter(([, shape]) => shape.slis.some((x) => x.startsWith(`${s.name}/`)));
      const mine = (file: string) => file.startsWith(`slis/${s.name}/`) || [outputPaths.saturationTests(s), outputPaths.versionTests(s)].includes(`prometheus/tests/${file}`) || shapes.some(([, shape]) => shape.files.includes(file));
      const failed = results.filter((r) => r.status === 'failed' && mine(r.file)).flatMap((r) => (r.failures.length ? r.failures.map((f) => f.group) : [r.file]));
      out.set(s.name, failed.length ? missing(`promtool test rules failed: ${[...new Set(failed)].slice(0, 3).join('; ')}`, 'run: slokit generate && slokit test to see why') : met);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function levelOf(levels: readonly MaturityLevel[], results: readonly CriterionResult[]): number {
  let level = 0;
  for (const l of levels) {
    if (results.filter((r) => r.level === l.level).every((r) => r.status !== 'missing')) level = l.level;
    else break;
  }
  return level;
}

export async function scorecard(model: Model, pack: Pack, options: { alertTests: boolean }): Promise<ServiceScore[]> {
  const tests = await alertTestChecks(model, pack, options.alertTests && model.maturity.some((l) => l.criteria.includes('alert-tests')));
  return model.services.map((service) => {
    const checks: Record<MaturityCriterion, Check> = {
      ...catalogChecks(service),
      'alert-tests': tests.get(service.name) ?? met,
      'dashboards-linked': linkCheck(model, service, pack),
    };
    const results: CriterionResult[] = model.maturity.flatMap((l) =>
      l.criteria.map((criterion) => {
        const reason = service.maturitySkips[criterion];
        const c = checks[criterion];
        if (reason !== undefined) return { criterion, level: l.level, status: 'skipped' as const, detail: reason, fix: '' };
        return c.ok ? { criterion, level: l.level, status: 'met' as const, detail: '', fix: '' } : { criterion, level: l.level, status: 'missing' as const, detail: c.detail, fix: c.fix };
      }),
    );
    const level = levelOf(model.maturity, results);
    return { service: service.name, team: service.team.name, level, levelName: model.maturity.find((l) => l.level === level)?.name ?? 'none', results };
  });
}

export function scorecardTable(model: Model, scores: readonly ServiceScore[]): string {
  const top = model.maturity.length;
  const lines: string[] = [];
  const width = Math.max(...scores.map((s) => s.service.length), 7);
  for (const s of scores) {
    lines.push(`${s.service.padEnd(width)}  level ${s.level}/${top} ${s.levelName}  (team ${s.team})`);
    for (const r of s.results.filter((x) => x.status !== 'met')) {
      if (r.status === 'skipped') lines.push(`  skipped  L${r.level} ${r.criterion}: ${r.detail}`);
      else lines.push(`  missing  L${r.level} ${r.criterion}: ${r.detail}\n           fix: ${r.fix}`);
    }
  }
  return lines.join('\n');
}

export function scorecardMarkdown(model: Model, scores: readonly ServiceScore[]): string {
  const criteria = model.maturity.flatMap((l) => l.criteria.map((c) => ({ c, level: l.level })));
  const mark = (s: ServiceScore, c: MaturityCriterion) => ({ met: 'yes', missing: '**no**', skipped: 'skipped' })[s.results.find((r) => r.criterion === c)!.status];
  const out = [
    '# Operational maturity scorecard',
    '',
    ...model.maturity.map((l) => `- **Level ${l.level}: ${mdText(l.name)}.** ${mdText(l.description)} (${l.criteria.join(', ')})`),
    '',
    `| Service | Team | Level | ${criteria.map((x) => `L${x.level} ${x.c}`).join(' | ')} |`,
    `| --- | --- | --- | ${criteria.map(() => '---').join(' | ')} |`,
    ...scores.map((s) => `| ${s.service} | ${s.team} | ${s.level} ${mdText(s.levelName)} | ${criteria.map((x) => mark(s, x.c)).join(' | ')} |`),
    '',
  ];
  for (const s of scores) {
    const open = s.results.filter((r) => r.status !== 'met');
    if (!open.length) continue;
    out.push(`## ${s.service}`, '');
    for (const r of open) {
      out.push(r.status === 'skipped' ? `- Skipped **${r.criterion}**: ${mdText(r.detail)}` : `- Missing **${r.criterion}** (level ${r.level}): ${mdText(r.detail)}. Fix: ${mdText(r.fix)}`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
