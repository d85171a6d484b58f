/**
 * Sizes at which Kubernetes refuses the objects of out/kubernetes/. The API server refuses a
 * ConfigMap whose data is over 1 MiB, and `kubectl apply` (client-side) copies the whole object
 * into its last-applied-configuration annotation, where all annotations together may hold at
 * most 256 KiB. The dashboard of a service with a dozen SLIs or more crosses them (the platform
 * dashboards do not grow with the catalog): `generate` says so, with what to do, rather than
 * leaving it to a failed apply.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';

export const CONFIGMAP_DATA_MAX_BYTES = 1024 * 1024;
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;
/** etcd's default request limit (--max-request-bytes): no object is stored above it. */
export const ETCD_REQUEST_MAX_BYTES = 1.5 * 1024 * 1024;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KiB`;

/** One line per Kubernetes object file of the pack that an apply would fail on (paths relative to out/). */
export function kubernetesSizeWarnings(outDir: string, paths: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const path of [...paths].filter((p) => p.startsWith('kubernetes/') && p.endsWith('.yaml')).sort()) {
    const size = statSync(join(outDir, path)).size;
    if (size > CONFIGMAP_DATA_MAX_BYTES && path.startsWith('kubernetes/dashboards/')) {
      const json = path.replace(/^kubernetes\/dashboards\/(.*)\.yaml$/, 'grafana/dashboards/$1.json');
      warnings.push(`${path} is ${mib(size)}: Kubernetes refuses a ConfigMap over 1 MiB; import ${json} into Grafana instead (outputs: [grafana]), and leave this one out of the kustomization`);
    } else if (size > ETCD_REQUEST_MAX_BYTES) {
      warnings.push(`${path} is ${mib(size)}: etcd stores no object over 1.5 MiB (its default --max-request-bytes); split the service's SLIs into more services`);
    } else if (size > ANNOTATIONS_MAX_BYTES) {
      warnings.push(`${path} is ${size > CONFIGMAP_DATA_MAX_BYTES ? mib(size) : kib(size)}: a client-side kubectl apply stores it in an annotation that holds at most 256 KiB; apply with kubectl apply --server-side -k out/kubernetes`);
    }
  }
  return warnings;
}
