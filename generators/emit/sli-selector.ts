/** Matchers that pick one SLI's (or service's) recorded series. */
import { matchersText } from '../promql/escape.js';
import { SLI_LABELS } from '../naming.js';
import type { Matcher, Service, Sli } from '../model/types.js';

export function sliMatcherList(service: Service, sli: Sli): Matcher[] {
  return [
    { label: SLI_LABELS.service, op: '=', value: service.name },
    { label: SLI_LABELS.sli, op: '=', value: sli.name },
  ];
}

export function sliMatchers(service: Service, sli: Sli): string {
  return matchersText(sliMatcherList(service, sli));
}

export function serviceMatchers(service: Service): string {
  return matchersText([{ label: SLI_LABELS.service, op: '=', value: service.name }]);
}

/** Labels that identify an SLI on every recorded series. */
export function sliIdentity(service: Service, sli: Sli): Record<string, string> {
  return { [SLI_LABELS.service]: service.name, [SLI_LABELS.sli]: sli.name, [SLI_LABELS.component]: sli.component };
}
