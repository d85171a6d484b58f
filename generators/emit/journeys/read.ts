/** How a journey's rules read series: its own (by family) and its components' (resolved from the model). */
import type { Duration } from '../../model/duration.js';
import { readSlack } from '../window-plan.js';
import type { Journey, JourneyComponent, Model, Service, Sli } from '../../model/types.js';
import { JOURNEY_LABEL } from '../../naming.js';
import { matchersText } from '../../promql/escape.js';

export type Family = 'fast' | 'slow';

/** Which group records a journey window: the fast one up to the policy's fast windows, as for SLIs. */
export function journeyFamily(journey: Pick<Journey, 'evaluation'>, window: Duration): Family {
  return window.seconds <= journey.evaluation.fastWindowsUpTo.seconds ? 'fast' : 'slow';
}

export const journeyMatchers = (journey: Pick<Journey, 'name'>) => matchersText([{ label: JOURNEY_LABEL, op: '=', value: journey.name }]);

/** A journey's own series read by a rule of `reader`: with the SLIs' slack when the slow group writes it (window-plan.ts readSeries). */
export function readJourney(journey: Journey, name: string, window: Duration, reader: Family): string {
  const sel = journeyMatchers(journey);
  if (journeyFamily(journey, window) !== 'slow' || reader === 'slow') return `${name}${sel}`;
  return `last_over_time(${name}${sel}[${readSlack(journey)}])`;
}

export interface Resolved {
  readonly component: JourneyComponent;
  readonly service?: Service;
  readonly sli?: Sli;
  readonly journey?: Journey;
}

export function resolveComponents(model: Model, journey: Journey): Resolved[] {
  return journey.components.map((c) => {
    if (c.type === 'journey') return { component: c, journey: model.journeys.find((j) => j.name === c.journey)! };
    const service = model.services.find((s) => s.name === c.service)!;
    return { component: c, service, sli: service.slis.find((s) => s.name === c.sli)! };
  });
}

