/** A large synthetic catalog (N services cycling through every SLI kind) for benchmarks. */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KINDS = [
  (i: number) => `  - name: requests\n    kind: error-ratio\n    bad: app_requests_total{job="svc-${i}", code=~"5.."}\n    total: app_requests_total{job="svc-${i}"}\n    significant_labels: [route, method]\n`,
  (i: number) => `  - name: latency\n    kind: latency\n    histogram: app_request_duration_seconds{job="svc-${i}"}\n    threshold: 1\n    buckets: [0.1, 0.25, 0.5, 1, 2.5]\n    significant_labels: [route]\n`,
  (i: number) => `  - name: api\n    kind: http\n    selector: job="svc-${i}"\n    significant_labels: [http_route]\n`,
  (i: number) => `  - name: apdex\n    kind: apdex\n    histogram: app_request_duration_seconds{job="svc-${i}"}\n    satisfied: 0.5\n    tolerated: 2.5\n    buckets: [0.1, 0.25, 0.5, 1, 2.5]\n`,
  (i: number) => `  - name: jobs\n    kind: job\n    selector: job="svc-${i}", queue="default"\n    significant_labels: [job_class]\n    user_facing: false\n`,
];

/** The SLI names KINDS declare, in order. */
const KIND_NAMES = ['requests', 'latency', 'api', 'apdex', 'jobs'];

/**
 * Writes a catalog of `count` services (`slis` SLIs each, at most 5) next to the bundled defaults
 * and teams, and `journeys` user journeys of four consecutive services each (weighted by events
 * and by components in turn); returns its path.
 */
export function writeSyntheticCatalog(bundledCatalog: string, dir: string, count: number, slis = 2, journeys = 0): string {
  const catalog = join(dir, 'catalog');
  mkdirSync(join(catalog, 'services'), { recursive: true });
  cpSync(join(bundledCatalog, 'defaults.yaml'), join(catalog, 'defaults.yaml'));
  cpSync(join(bundledCatalog, 'teams.yaml'), join(catalog, 'teams.yaml'));
  const teams = ['web-platform', 'background-jobs', 'gitaly', 'package', 'data-stores', 'integrations'];
  for (let i = 0; i < count; i++) {
    const deps = i > 0 ? `dependencies: [svc-${i - 1}]\n` : '';
    const declared = Array.from({ length: slis }, (_, k) => KINDS[(i + k) % KINDS.length]!(i)).join('');
    writeFileSync(
      join(catalog, 'services', `svc-${i}.yaml`),
      `name: svc-${i}\ndescription: Synthetic service ${i}.\nteam: ${teams[i % teams.length]}\ntier: ${1 + (i % 3)}\n${deps}slis:\n${declared}`,
    );
  }
  if (journeys) mkdirSync(join(catalog, 'journeys'), { recursive: true });
  for (let j = 0; j < Math.min(journeys, Math.floor(count / 4)); j++) {
    const components = [0, 1, 2, 3].map((m) => `  - { service: svc-${4 * j + m}, sli: ${KIND_NAMES[(4 * j + m) % KIND_NAMES.length]}, weight: ${m === 2 ? 2 : 1} }`).join('\n');
    writeFileSync(
      join(catalog, 'journeys', `journey-${j}.yaml`),
      `name: journey-${j}\ndescription: Synthetic journey ${j}.\nteam: ${teams[j % teams.length]}\nobjective: 99\nweighting: ${j % 2 ? 'components' : 'events'}\ncomponents:\n${components}\nalerting: { burn_alerts: true }\n`,
    );
  }
  return catalog;
}
