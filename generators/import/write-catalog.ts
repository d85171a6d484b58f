/**
 * Puts imported services into a catalog, all or nothing: into an existing catalog (whose
 * teams.yaml must already list their teams, and where no service file is replaced), or into a
 * new one made from the bundled defaults with a TODO entry per team. The result is validated
 * as a whole in a scratch copy before anything is written.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { toYaml } from '../emit/yaml-text.js';
import { displayPath } from '../load/catalog-files.js';
import { ownAlertLabels } from '../model/alert-extras.js';
import { BUNDLED_CATALOG } from '../paths.js';
import { loadModel } from '../pipeline.js';
import type { Problem } from '../validate/problems.js';
import type { Finding, JourneyDraft, ServiceDraft } from './draft.js';
import type { ImportContext } from './extras.js';
import type { PolicyDraft } from './sloth-windows.js';

export class CatalogTargetError extends Error {}

/** Alert labels slokit sets in the target catalog (or, for a new one, the bundled defaults'). */
export function importContext(catalogDir: string, team: string | undefined): ImportContext {
  const dir = existsSync(catalogDir) ? catalogDir : BUNDLED_CATALOG;
  const { model, problems } = loadModel(dir);
  if (!model) throw new CatalogTargetError(`${catalogDir} is not a valid catalog (${problems.length} problem(s)); run slokit validate --catalog ${catalogDir} and fix it first`);
  return { ownLabels: new Set(ownAlertLabels(model.settings)), ...(team ? { team, teamOverrides: true } : {}) };
}

export function serviceFileText(draft: ServiceDraft, tool: string): string {
  const { from, ...doc } = draft;
  const header = `yaml-language-server: $schema=../schema/service.schema.json\nImported by slokit import ${tool} from ${from}. Review it, then keep it in the catalog as your own.`;
  return toYaml(doc, header);
}

function teamsText(teams: readonly string[]): string {
  return toYaml(
    { teams: teams.map((name) => ({ name, chat: `TODO: chat channel of ${name}`, pager: `TODO: pager rotation of ${name}`, issue_tracker: `TODO: issue tracker URL of ${name}` })) },
    'yaml-language-server: $schema=schema/teams.schema.json\nTeams of the imported services: fill in the TODOs.',
  );
}

export interface ImportWrite {
  readonly written: readonly string[];
  readonly problems: readonly (Problem | Finding)[];
}

export function journeyFileText(draft: JourneyDraft, tool: string): string {
  const { from, ...doc } = draft;
  return toYaml(doc, `yaml-language-server: $schema=../schema/journey.schema.json\nImported by slokit import ${tool} from ${from}. Review it, then keep it in the catalog as your own.`);
}

export function writeImported(catalogDir: string, drafts: readonly ServiceDraft[], tool: string, policies: readonly PolicyDraft[] = [], journeys: readonly JourneyDraft[] = []): ImportWrite {
  const target = resolve(catalogDir);
  const fresh = !existsSync(target);
  const files = new Map<string, string>();
  const problems: Finding[] = [];
  for (const d of drafts) files.set(`services/${d.name}.yaml`, serviceFileText(d, tool));
  for (const p of policies) files.set(`policies/${p.name}.yaml`, p.text);
  for (const j of journeys) files.set(`journeys/${j.name}.yaml`, journeyFileText(j, tool));
  // A service's team, the teams of its SLIs that name their own, and the journeys'.
  const owners = [
    ...drafts.flatMap((d) => [{ team: d.team, of: `service ${d.name}`, from: d.from }, ...d.slis.flatMap((s) => (s.team ? [{ team: s.team, of: `SLI ${d.name}/${s.name}`, from: d.from }] : []))]),
    ...journeys.map((j) => ({ team: j.team, of: `journey ${j.name}`, from: j.from })),
  ];
  if (fresh) {
    const teams = [...new Set(owners.map((o) => o.team))].sort();
    files.set('teams.yaml', teamsText(teams));
  } else {
    const teamsFile = join(target, 'teams.yaml');
    const known = new Set(((parse(readFileSync(teamsFile, 'utf8')) as { teams?: { name?: string }[] } | null)?.teams ?? []).map((t) => t.name));
    for (const o of owners) {
      if (!known.has(o.team)) problems.push({ file: o.from, line: 1, col: 1, level: 'error', message: `team ${o.team} of ${o.of} is not in ${relative(process.cwd(), teamsFile) || teamsFile}`, hint: `add it there, or pass --team with a team that is` });
    }
    for (const d of [...drafts.map((x) => ({ path: `services/${x.name}.yaml`, from: x.from })), ...policies.map((x) => ({ path: `policies/${x.name}.yaml`, from: x.from })), ...journeys.map((x) => ({ path: `journeys/${x.name}.yaml`, from: x.from }))]) {
      if (existsSync(join(target, d.path))) problems.push({ file: d.from, line: 1, col: 1, level: 'error', message: `${d.path} already exists in ${catalogDir}`, hint: 'slokit import never replaces a file; remove or rename the existing one first' });
    }
  }
  if (problems.length) return { written: [], problems };

  // The catalog as it will be, in a scratch folder next to the target (same file system).
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const scratch = mkdtempSync(join(parent, '.slokit-import-'));
  const staged = join(scratch, 'catalog');
  try {
    if (fresh) {
      cpSync(join(BUNDLED_CATALOG, 'defaults.yaml'), join(staged, 'defaults.yaml'));
      cpSync(join(BUNDLED_CATALOG, 'schema'), join(staged, 'schema'), { recursive: true });
    } else {
      cpSync(target, staged, { recursive: true });
    }
    mkdirSync(join(staged, 'services'), { recursive: true });
    if (policies.length) mkdirSync(join(staged, 'policies'), { recursive: true });
    if (journeys.length) mkdirSync(join(staged, 'journeys'), { recursive: true });
    for (const [path, text] of files) {
      writeFileSync(join(staged, path), text, { flag: 'wx' });
    }
    const { problems: invalid } = loadModel(staged);
    const shown = displayPath(staged);
    if (invalid.length) return { written: [], problems: invalid.map((p) => ({ ...p, file: p.file.startsWith(shown) ? join(catalogDir, p.file.slice(shown.length)) : p.file })) };
    if (fresh) renameSync(staged, target);
    else {
      mkdirSync(join(target, 'services'), { recursive: true });
      if (policies.length) mkdirSync(join(target, 'policies'), { recursive: true });
      if (journeys.length) mkdirSync(join(target, 'journeys'), { recursive: true });
      for (const path of files.keys()) renameSync(join(staged, path), join(target, path));
    }
    return { written: [...files.keys()].map((p) => join(catalogDir, p)), problems: [] };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
