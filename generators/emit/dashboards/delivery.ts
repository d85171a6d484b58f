/**
 * How admins load the dashboards: Grafana file provisioning (one folder per team, plus a
 * platform folder for the overview and upgrade dashboards) and ConfigMaps for the Grafana
 * sidecar of kube-prometheus-stack (label grafana_dashboard: "1", folder annotation).
 */
import type { Model } from '../../model/types.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';
import type { Dashboard } from './evaluate.js';
import { dashboardPaths, mixinPaths } from '../../naming.js';
import { parsePackYaml } from '../../pack-yaml.js';

export const PLATFORM_FOLDER = 'slo-platform';
/** Where the provisioning file expects each folder's dashboards on the Grafana host. */
export const PROVISIONED_ROOT = '/var/lib/grafana/dashboards/slokit';

/** Folder of each dashboard file: the owning team for a service, the platform folder otherwise. */
export function dashboardFolders(model: Model, files: readonly string[]): Map<string, string> {
  const folderOf = dashboardFolderOf(model);
  return new Map(files.map((f) => [f, folderOf(f)]));
}

export function dashboardFolderOf(model: Model): (file: string) => string {
  const team = new Map(model.services.map((s) => [`${s.name}.json`, s.team.name]));
  return (file) => team.get(file) ?? PLATFORM_FOLDER;
}

export function provisioningYaml(folders: ReadonlyMap<string, string>): string {
  const byFolder = new Map<string, string[]>();
  for (const [file, folder] of folders) {
    const files = byFolder.get(folder);
    if (files) files.push(file);
    else byFolder.set(folder, [file]);
  }
  const providers = [...byFolder.keys()].sort().map((folder) => ({
    name: `slokit-${folder}`,
    orgId: 1,
    folder,
    folderUid: `slokit-${folder}`.slice(0, 40),
    type: 'file',
    disableDeletion: false,
    allowUiUpdates: false,
    updateIntervalSeconds: 60,
    options: { path: `${PROVISIONED_ROOT}/${folder}` },
  }));
  const layout = [...byFolder.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([folder, files]) => `  ${PROVISIONED_ROOT}/${folder}/: ${files.sort().join(', ')}`);
  return toYaml(
    { apiVersion: 1, providers },
    `${GENERATED_HEADER}\nGrafana dashboard provisioning. Copy out/grafana/dashboards/*.json into one folder per provider:\n${layout.join('\n')}`,
  );
}

export function configMapYaml(file: string, folder: string, dashboard: Dashboard, json: string, namespace?: string): string {
  const name = `slokit-dashboard-${file.replace(/\.json$/, '')}`;
  return toYaml(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        ...(namespace ? { namespace } : {}),
        labels: { grafana_dashboard: '1', 'app.kubernetes.io/managed-by': 'slokit' },
        annotations: { grafana_folder: folder, 'slokit.dev/dashboard-uid': dashboard.uid },
      },
      data: { [file]: json },
    },
    GENERATED_HEADER,
  );
}

/** A dashboard's JSON from whichever form a pack holds it in (grafana/, mixin/ or a ConfigMap's data); `read` gives a pack file or undefined. */
export function dashboardJsonIn(read: (path: string) => string | undefined, file: string): string | undefined {
  const json = read(dashboardPaths.dashboard(file)) ?? read(mixinPaths.dashboard(file));
  if (json !== undefined) return json;
  const configMap = read(dashboardPaths.configMap(file));
  return configMap === undefined ? undefined : (parsePackYaml(configMap) as { data?: Record<string, string> } | null)?.data?.[file];
}
