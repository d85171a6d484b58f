/**
 * promtool test files: each SLI's own tests (against its slice of the service's rule file,
 * which `slokit test` cuts out), and the index that ties each SLI to its rule shape.
 */
import type { Model, Service, Sli } from '../../model/types.js';
import { outputPaths } from '../../naming.js';
import { ruleObject } from '../rule-file.js';
import type { ServiceRules } from '../rule-groups.js';
import { GENERATED_HEADER } from '../yaml-text.js';
import { ownSeriesGroups } from './own-series.js';
import { sliceOf, type RuleIdentity } from './rule-slice.js';
import type { TestGroup } from './scenarios.js';
import { testFileYaml } from './test-file-yaml.js';
import { rawReads, ruleIdentity, type KnownShape, type KnownSuite, type Shape, type ShapeRegistry, type Suite } from './shape.js';
import type { SuiteRecord } from '../../write/manifest.js';

/** The name of an SLI's slice, next to its test file when `slokit test` runs it. */
export const sliceFile = (sli: Pick<Sli, 'name'>) => `${sli.name}.rules.yml`;

export function sliTestFileText(model: Model, service: Service, sli: Sli, rules: ServiceRules): { text: string; groups: TestGroup[] } {
  const step = sli.evaluation.fastInterval.seconds;
  const defs = rules.alerts.filter((a) => a.sliName === sli.name).map((a) => a.def);
  const groups = ownSeriesGroups({ model, service, sli, defs, serviceDefs: rules.alerts, step });
  const order = sliceOf(rules.groups.map(ruleObject), service.name, sli.name).map((g) => g.name);
  const header = `${GENERATED_HEADER}\nThe ${sli.name} SLI's own tests, against its rules cut out of ${outputPaths.rules(service)}; its shape's tests prove the rest.\nRun: slokit test (it cuts the rules, checks them against the shape, and runs promtool).`;
  return { text: testFileYaml({ ruleFiles: [sliceFile(sli)], step, groupOrder: order, groups, header }), groups };
}

export interface TestIndexEntry extends RuleIdentity {
  readonly service: string;
  readonly sli: string;
  /** Paths relative to prometheus/tests/. */
  readonly test: string;
  readonly rules: string;
  readonly shape: string;
  readonly rawReads: readonly string[];
}

export interface TestIndex {
  readonly canonical: RuleIdentity;
  readonly slis: readonly TestIndexEntry[];
  /** Each shape's files, the SLIs that share it, and its window suite. */
  readonly shapes: Readonly<Record<string, { readonly files: readonly string[]; readonly slis: readonly string[]; readonly windows?: string }>>;
  /** Each window suite's files and the shapes whose window rules are its rules. */
  readonly windows: Readonly<Record<string, { readonly files: readonly string[]; readonly shapes: readonly string[] }>>;
}

const fromTests = (path: string) => path.replace(/^prometheus\/tests\//, '');

/** A suite of either kind: built in this run (with its files' texts) or known from the previous pack. */
type AnySuite = Suite | KnownSuite;
const namesOf = (suite: AnySuite): readonly string[] => ('files' in suite ? [...suite.files.keys()] : suite.names);

/** Collects the index as SLIs are emitted; `text` is deterministic for a model. */
export class TestIndexBuilder {
  private readonly slis: TestIndexEntry[] = [];
  private readonly shapes = new Map<string, { files: string[]; slis: string[]; windows?: string }>();
  private readonly windows = new Map<string, { files: string[]; shapes: string[] }>();
  private readonly suites = new Map<string, SuiteRecord>();

  constructor(private readonly registry: ShapeRegistry) {}

  /** The shape's suites the index does not hold yet, each with where its files go. */
  private unseen(shape: Shape | KnownShape): { suite: AnySuite; pathOf: (id: string, name: string) => string }[] {
    if (this.shapes.has(shape.id)) return [];
    return [
      { suite: shape, pathOf: outputPaths.shapeFile },
      ...(shape.windows && !this.windows.has(shape.windows.id) ? [{ suite: shape.windows, pathOf: outputPaths.windowFile }] : []),
    ];
  }

  /** Paths of the shape's suites the index does not hold yet: what a known shape must take from the previous pack. */
  missing(shape: Shape | KnownShape): string[] {
    return this.unseen(shape).flatMap(({ suite, pathOf }) => namesOf(suite).map((name) => pathOf(suite.id, name)));
  }

  /**
   * Records the SLI. Returns the files of its shape's suites the first time each is seen, when
   * this run built them (a known shape's were taken: see `missing`), and those suites, to be
   * counted once.
   */
  add(service: Service, sli: Sli, shape: Shape | KnownShape): { fresh: Map<string, string>; brought: AnySuite[] } {
    const fresh = new Map<string, string>();
    const brought: AnySuite[] = [];
    const files = new Map<string, string[]>();
    for (const { suite, pathOf } of this.unseen(shape)) {
      const paths = namesOf(suite).map((name) => pathOf(suite.id, name));
      if ('files' in suite) namesOf(suite).forEach((name, i) => fresh.set(paths[i]!, suite.files.get(name)!));
      files.set(suite.id, paths.map(fromTests));
      this.suites.set(suite.id, { files: namesOf(suite), groups: suite.groups, cases: suite.cases, ...(suite === shape && shape.windows ? { windows: shape.windows.id } : {}) });
      brought.push(suite);
    }
    let entry = this.shapes.get(shape.id);
    if (!entry) {
      entry = { files: files.get(shape.id)!, slis: [], ...(shape.windows ? { windows: shape.windows.id } : {}) };
      this.shapes.set(shape.id, entry);
      if (shape.windows) {
        let w = this.windows.get(shape.windows.id);
        if (!w) {
          w = { files: files.get(shape.windows.id)!, shapes: [] };
          this.windows.set(shape.windows.id, w);
        }
        w.shapes.push(shape.id);
      }
    }
    entry.slis.push(`${service.name}/${sli.name}`);
    this.slis.push({
      service: service.name,
      sli: sli.name,
      test: fromTests(outputPaths.sliTests(service, sli)),
      rules: outputPaths.rulesFromTests(service),
      shape: shape.id,
      ...ruleIdentity(service, sli),
      rawReads: rawReads(sli),
    });
    return { fresh, brought };
  }

  /** Every suite of the pack, for its manifest. */
  records(): ReadonlyMap<string, SuiteRecord> {
    return this.suites;
  }

  text(): string {
    const sorted = <T>(m: Map<string, T>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    const index: TestIndex = { canonical: this.registry.canonical, slis: this.slis, shapes: sorted(this.shapes), windows: sorted(this.windows) };
    return `${JSON.stringify(index, null, 2)}\n`;
  }
}
