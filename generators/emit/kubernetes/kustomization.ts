/** out/kubernetes/kustomization.yaml: every Kubernetes object of the pack, so `kubectl apply -k out/kubernetes` deploys it. */
import { kubernetesPaths } from '../../naming.js';
import { GENERATED_HEADER, toYaml } from '../yaml-text.js';

/** `paths` are pack paths (kubernetes/...); the kustomization lists them relative to its folder. */
export function kustomizationYaml(paths: readonly string[], namespace: string | undefined): string {
  const base = kubernetesPaths.kustomization.replace(/[^/]+$/, '');
  const resources = paths.map((p) => p.slice(base.length)).sort();
  return toYaml(
    {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      ...(namespace ? { namespace } : {}),
      resources,
    },
    `${GENERATED_HEADER}\nApply with: kubectl apply -k out/kubernetes`,
  );
}
