/**
 * What a service's files are a function of, as one hash: the generator itself (its code and
 * templates), the catalog-wide settings and everything a service's files read from other
 * services (which services depend on it and whether its pages hold theirs back, the first SLI's raw window the dashboards' variable
 * query uses), and the service as the model holds it (every default and policy applied).
 * Equal keys mean byte-identical files, so `slokit generate` reuses the files of a service whose
 * key has not changed since the pack it replaces.
 */
import { createHash } from 'node:crypto';
import { generatorVersion } from '../generator-version.js';
import { dependentsOf } from '../model/lookup.js';
import type { Model, Service } from '../model/types.js';
import { catalogTemplateTexts } from './runbooks/render.js';

/**
 * The part of every key that all services share; `overrides` is the dashboard overrides file's
 * text. The catalog's own runbook templates count: settings name only their folder, and a
 * template edited there left every runbook as the last pack had it.
 */
export function packKey(model: Model, overrides: string | undefined): string {
  return createHash('sha256')
    .update(generatorVersion())
    .update('\0')
    .update(
      JSON.stringify({
        settings: model.settings,
        scale: model.scale ?? null,
        firstRawWindow: model.services[0]?.slis[0]?.evaluation.rawWindow ?? null,
        overrides: overrides ?? null,
        runbookTemplates: catalogTemplateTexts(model.settings.runbookTemplateDir),
      }),
    )
    .digest('hex');
}

export function serviceKey(packKeyValue: string, model: Model, service: Service): string {
  return createHash('sha256')
    .update(packKeyValue)
    .update('\0')
    // Its burn pages name the dependents they hold back (not those declaring it inhibit: false).
    .update(JSON.stringify({ service, dependents: dependentsOf(model, service.name).map((s) => [s.name, s.heldBackBy.includes(service.name)]) }))
    .digest('hex')
    .slice(0, 32);
}
