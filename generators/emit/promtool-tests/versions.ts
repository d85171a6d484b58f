/**
 * promtool tests of a service's recorded version series, which the upgrade watch reads: a
 * rolling upgrade of three instances, one at a time, counted per version under VERSION_LABEL
 * whatever label the version metric carries it in. A replaced instance's old series ends with
 * a staleness marker, as when Prometheus stops seeing it, and leaves the count at that very
 * evaluation; a series of the same metric that the selector does not pick is never counted.
 */
import type { Matcher, Model, Service } from '../../model/types.js';
import { outputPaths, series, SLI_LABELS, VERSION_LABEL } from '../../naming.js';
import { matchersText, seriesText } from '../../promql/escape.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';
import { SynthesisError } from './input-series.js';
import { labelsFor, matches, valueFor } from '../../promql/label-values.js';
import { baseLabels } from './base-labels.js';
import type { ExprCheck, TestGroup } from './scenarios.js';

/** Minutes: each instance in turn moves to the new version this many minutes after the last. */
const EVERY = 10;
const INSTANCES = 3;
const END = EVERY * (INSTANCES + 1);
const VERSION_CANDIDATES = ['1.0.0', '1.1.0', '2.0.0', 'v1', 'v2', '1', '2', 'a', 'b'];

/** Two versions the selector's matchers on the version label accept (the same one twice when they pin it). */
function versionPair(onVersion: readonly Matcher[]): [string, string] | undefined {
  const first = valueFor(onVersion, VERSION_CANDIDATES[0]!);
  if (first === undefined) return undefined;
  const second = [...VERSION_CANDIDATES, `${first}.1`, `${first}1`, `${first}-next`].find((c) => c !== first && onVersion.every((m) => matches(m, c)));
  return [first, second ?? first];
}
const INSTANCE_LABELS = ['instance', 'pod', 'slokit_instance'];

/** Minute at which instance `i` moves to the new version. */
const switchAt = (i: number) => EVERY * (i + 1);

export function versionTestGroups(model: Model, service: Service): TestGroup[] {
  const v = service.versionMetric;
  if (!v) return [];
  const matchers = v.selector.matchers;
  const onVersion = matchers.filter((m) => m.label === v.label);
  const versions = versionPair(onVersion);
  if (!versions) throw new SynthesisError(`${service.name}: no version value meets the version_metric selector's matchers on ${v.label}; simplify them`);
  const [oldVersion, newVersion] = versions;
  const apart = INSTANCE_LABELS.find((l) => l !== v.label && !matchers.some((m) => m.label === l) && !model.settings.aggregationLabels.includes(l));
  const base = labelsFor(matchers, { ...baseLabels(model.settings), [v.label]: oldVersion });
  if (!base || !apart) throw new SynthesisError(`${service.name}: cannot find label values that the version_metric selector picks; simplify its matchers`);
  const fed = (version: string, instance: string) => ({ ...base, [v.label]: version, [apart]: instance });
  const input = [];
  for (let i = 0; i < INSTANCES; i++) {
    const at = switchAt(i);
    input.push({ series: seriesText(v.selector.metric, fed(oldVersion, `i-${i}`)), values: `1x${at - 1} stale` });
    // With the version pinned, the instance is replaced (a new pod) rather than relabelled: the same series cannot end and start at once.
    input.push({ series: seriesText(v.selector.metric, fed(newVersion, newVersion === oldVersion ? `i-${i}-next` : `i-${i}`)), values: `_x${at} 1x${END - at}` });
  }
  // Left out by the selector (when any label value can do that): never counted.
  const other = labelsFor([], { ...base, [apart]: 'i-other' }, matchers);
  if (other && other[v.label] !== undefined) input.push({ series: seriesText(v.selector.metric, other), values: `1x${END}` });
  const recorded = (version: string) => ({
    [SLI_LABELS.service]: service.name,
    ...Object.fromEntries(model.settings.aggregationLabels.flatMap((l) => (base[l] !== undefined ? [[l, base[l]]] : []))),
    [VERSION_LABEL]: version,
  });
  const check = (minute: number): ExprCheck => {
    const moved = Array.from({ length: INSTANCES }, (_, i) => minute >= switchAt(i)).filter(Boolean).length;
    const counts = new Map<string, number>();
    for (const [version, n] of [[oldVersion, INSTANCES - moved], [newVersion, moved]] as const) if (n) counts.set(version, (counts.get(version) ?? 0) + n);
    return {
      expr: `${series.versionInstances}${matchersText([{ label: SLI_LABELS.service, op: '=', value: service.name }])}`,
      eval_time: `${minute}m`,
      exp_samples: [...counts].map(([version, n]) => ({ labels: seriesText(series.versionInstances, recorded(version)), value: n })),
    };
  };
  const minutes = [1, ...Array.from({ length: INSTANCES }, (_, i) => [switchAt(i) - 1, switchAt(i)]).flat(), END];
  return [
    {
      name: `${service.name} versions: a rolling upgrade from ${oldVersion} to ${newVersion}, one instance every ${EVERY}m, counted per ${VERSION_LABEL} from ${v.selector.metric}'s ${v.label}`,
      interval: '1m',
      input_series: input,
      promql_expr_test: minutes.map(check),
    },
  ];
}

export function versionTestFileText(service: Service, groups: readonly TestGroup[]): string {
  return toYaml(
    { rule_files: [outputPaths.rulesFromTests(service)], evaluation_interval: '1m', tests: groups },
    `${GENERATED_HEADER}\nRun: promtool test rules ${outputPaths.versionTests(service).replace(/^prometheus\//, '')}`,
  );
}
