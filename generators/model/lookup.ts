/** Services by name, built once per model: per-service code looking up its dependencies must not rescan the catalog. */
import type { Model, Service } from './types.js';

const byModel = new WeakMap<Model, ReadonlyMap<string, Service>>();

export function serviceNamed(model: Model, name: string): Service {
  let byName = byModel.get(model);
  if (!byName) {
    byName = new Map(model.services.map((s) => [s.name, s]));
    byModel.set(model, byName);
  }
  const service = byName.get(name);
  if (!service) throw new Error(`no service named ${JSON.stringify(name)} in the model`);
  return service;
}

const dependentsByModel = new WeakMap<Model, ReadonlyMap<string, readonly Service[]>>();

/** Services that declare `name` as a dependency, in catalog order. */
export function dependentsOf(model: Model, name: string): readonly Service[] {
  let dependents = dependentsByModel.get(model);
  if (!dependents) {
    const map = new Map<string, Service[]>();
    for (const s of model.services) {
      for (const d of s.dependencies) {
        const list = map.get(d);
        if (list) list.push(s);
        else map.set(d, [s]);
      }
    }
    dependents = map;
    dependentsByModel.set(model, dependents);
  }
  return dependents.get(name) ?? [];
}
