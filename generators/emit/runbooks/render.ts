/**
 * Renders the runbooks from handlebars templates: the bundled ones in runbooks/, each of which
 * a catalog may replace with a file of the same name in its own template folder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';
import type { Model, Service } from '../../model/types.js';
import { journeyPaths, runbookFile } from '../../naming.js';
import { journeysRunbookView } from '../journeys/runbook.js';
import { RUNBOOK_TEMPLATES_DIR } from '../../paths.js';
import { indexView, serviceRunbookView } from './view-model.js';

export class RunbookTemplateError extends Error {}

function templateFiles(dir: string, base = dir): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) for (const [k, v] of templateFiles(path, base)) out.set(k, v);
    else if (e.name.endsWith('.hbs')) out.set(relative(base, path).split('\\').join('/'), path);
  }
  return out;
}

/** The catalog's own templates, by relative name, sorted: what its runbooks read besides the bundled ones. */
export function catalogTemplateTexts(dir: string | undefined): [string, string][] {
  if (!dir) return [];
  return [...templateFiles(dir)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, path]) => [name, readFileSync(path, 'utf8')]);
}

/** Bundled templates overlaid by the catalog's own (same relative name wins). */
function loadTemplates(overrideDir: string | undefined): Map<string, string> {
  const files = templateFiles(RUNBOOK_TEMPLATES_DIR);
  if (overrideDir) for (const [name, path] of templateFiles(overrideDir)) files.set(name, path);
  return new Map([...files].map(([name, path]) => [name, readFileSync(path, 'utf8')]));
}

type Template = HandlebarsTemplateDelegate;

/**
 * The compiled templates of the last template set seen: handlebars compiles a template on its
 * first use, a few hundred milliseconds that every pack paid again (hundreds of packs in a
 * test run of random catalogs), though the templates had not changed.
 */
let lastCompiled: { key: string; templates: { service: Template; index: Template; journeys: Template } } | undefined;

function compiled(templates: ReadonlyMap<string, string>): { service: Template; index: Template; journeys: Template } {
  const key = JSON.stringify([...templates]);
  if (lastCompiled?.key === key) return lastCompiled.templates;
  const hb = Handlebars.create();
  for (const [name, text] of templates) {
    const m = /^partials\/(.+)\.md\.hbs$/.exec(name);
    if (m) hb.registerPartial(m[1]!, text);
  }
  // Catalog text is escaped in the view model, so handlebars' HTML escaping would only garble it.
  const compile = (name: string) => {
    const text = templates.get(name);
    if (text === undefined) throw new RunbookTemplateError(`runbook template ${name} is missing`);
    return hb.compile(text, { noEscape: true, strict: true });
  };
  lastCompiled = { key, templates: { service: compile('service.md.hbs'), index: compile('index.md.hbs'), journeys: compile('journeys.md.hbs') } };
  return lastCompiled.templates;
}

/** File name under out/runbooks/ -> Markdown. */
export function renderRunbooks(model: Model): Map<string, string> {
  const render = runbookRenderer(model);
  return new Map([...model.services.map((s) => render.service(s)), render.index(), ...(model.journeys.length ? [render.journeys()] : [])]);
}

/** Renders runbooks one at a time (a service's, or the index), with the templates compiled once. */
export function runbookRenderer(model: Model): { service(s: Service): [string, string]; index(): [string, string]; journeys(): [string, string] } {
  const { service, index, journeys } = compiled(loadTemplates(model.settings.runbookTemplateDir));
  const tidy = (md: string) => `${md.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
  const rendered = (render: () => string): string => {
    try {
      return tidy(render());
    } catch (e) {
      throw new RunbookTemplateError(`runbook templates failed to render: ${(e as Error).message.split('\n')[0]}`);
    }
  };
  return {
    service: (s) => [runbookFile(s), rendered(() => service(serviceRunbookView(model, s)))],
    index: () => ['README.md', rendered(() => index(indexView(model)))],
    journeys: () => [journeyPaths.runbook, rendered(() => journeys(journeysRunbookView(model)))],
  };
}
