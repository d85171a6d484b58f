/**
 * The Go template actions slokit itself writes into alert labels and annotations. Prometheus
 * expands both as templates, so any other action found there came from catalog text that was
 * not escaped.
 */
const EXACT = new Set([
  '{{ $value | humanizePercentage }}',
  // slokit's escape of catalog text that holds '{{'.
  '{{ "{{" }}',
  // The likely cause: the dependencies' paging alerts, listed.
  '{{ range $i, $s := . }}',
  '{{ if $i }}',
  '{{ $s.Labels.service }}',
  '{{ else }}',
  '{{ end }}',
  // A journey's burn alert: each component's burn rate, listed.
  '{{ range . }}',
  '{{ printf "%.1f" .Value }}',
]);

/** A journey's component burn query: an SLI's (service and sli slugs) or a contained journey's (slug, budget). */
const BURN_QUERY =
  /^\{\{ with printf `max\((?:slo:burn_rate:rate\w+\{service="[a-z0-9]+(?:-[a-z0-9]+)*", sli="[a-z0-9]+(?:-[a-z0-9]+)*"|journey:error:ratio_rate\w+\{journey="[a-z0-9]+(?:-[a-z0-9]+)*")(?:, [A-Za-z_]\w*=%q)*\}\)(?: \/ [0-9.e-]+)?`(?: \$labels\.[A-Za-z_]\w*)* \| query \}\}$/;

/** The likely cause's query: catalog names only as service names (slugs), labels only as label names. */
const CAUSE_QUERY =
  /^\{\{ with printf `count by \(service\) \(ALERTS\{alertstate="firing", severity="critical", alertname=~"[A-Za-z0-9]+\.\+\|[A-Za-z0-9]+", service=~"[a-z0-9]+(?:-[a-z0-9]+)*(?:\|[a-z0-9]+(?:-[a-z0-9]+)*)*"(?:, [A-Za-z_]\w*=%q)*\}\)`(?: \$labels\.[A-Za-z_]\w*)* \| query \}\}$/;

/**
 * `aggregationLabels`: the catalog's (environment, cluster and labels.also), whose values the
 * dashboard links fill in; the bundled catalog's by default.
 */
export function isOwnTemplateAction(action: string, aggregationLabels: readonly string[] = ['env', 'cluster']): boolean {
  return EXACT.has(action) || CAUSE_QUERY.test(action) || BURN_QUERY.test(action) || aggregationLabels.some((l) => action === `{{ $labels.${l} | urlquery }}`);
}

/** Every action `{{ ... }}` in a text. */
export function templateActions(text: string): string[] {
  return [...text.matchAll(/\{\{.*?\}\}/gs)].map((m) => m[0]);
}
