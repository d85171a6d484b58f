/** What the grouped SLIs of a catalog may record, said when the pack is generated: the series they are bounded to. */
import type { Model } from '../model/types.js';
import { sliRecordingRules, sloRecordingRules } from './recording-rules.js';

export function groupedSeriesReport(model: Model): string[] {
  return model.services.flatMap((service) =>
    service.slis.flatMap((sli) => {
      if (!sli.groupBy) return [];
      const rec = sliRecordingRules(model, service, sli);
      // Every recording rule of the SLI records one series per group and place.
      const perGroup = rec.fast.length + rec.slow.length + sloRecordingRules(service, sli).length;
      const max = sli.groupBy.maxValues;
      return [`${service.name}/${sli.name} by ${sli.groupBy.labels.join(', ')}: at most ${max} groups and ${max * perGroup} recorded series per place`];
    }),
  );
}
