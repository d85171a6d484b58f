/**
 * Annotations are written once and rendered two ways: as Prometheus (Go) templates for the
 * rule file, and as the exact text Prometheus will produce for given labels and value, for
 * the generated promtool tests. Catalog text never reaches the template engine unescaped.
 */
export interface TemplateValues {
  /** `$value | humanizePercentage` */
  percent(): string;
  /** `$labels.NAME | urlquery` */
  labelForUrl(name: string): string;
  /** Catalog text that must come out exactly as written (escaped in the template). */
  literal(text: string): string;
  /**
   * The services a query of ALERTS (`count by (service)`, with `%q` for each of `labels` of the
   * alert) finds, as "PREFIX a, b"; `none` when it finds nothing.
   */
  servicesFound(query: string, labels: readonly string[], prefix: string, none: string): string;
}

/**
 * Catalog text as a Go template that renders to exactly that text: Prometheus expands alert
 * labels and annotations as templates, and only `{{` opens an action.
 */
export function templateText(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, templateLiteral(v)]));
}

export function templateLiteral(text: string): string {
  return text.replaceAll('{{', '{{ "{{" }}');
}

export const goTemplate: TemplateValues = {
  percent: () => '{{ $value | humanizePercentage }}',
  labelForUrl: (name) => `{{ $labels.${name} | urlquery }}`,
  literal: templateLiteral,
  servicesFound: (query, labels, prefix, none) =>
    `{{ with printf \`${query}\`${labels.map((l) => ` $labels.${l}`).join('')} | query }}${prefix}{{ range $i, $s := . }}{{ if $i }}, {{ end }}{{ $s.Labels.service }}{{ end }}{{ else }}${none}{{ end }}`,
};

/** What Prometheus renders, for a known value and labels. */
export function renderedValues(value: number | undefined, labels: Readonly<Record<string, string>>): TemplateValues {
  return {
    percent: () => {
      if (value === undefined) throw new Error('value needed to render humanizePercentage');
      return `${goFormatG(value * 100, 4)}%`;
    },
    labelForUrl: (name) => goQueryEscape(labels[name] ?? ''),
    literal: (text) => text,
    // The generated tests hold no other service's alerts: the query finds nothing.
    servicesFound: (_query, _labels, _prefix, none) => none,
  };
}

/** Go's fmt %.<precision>g. */
export function goFormatG(v: number, precision: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
  const exp = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(precision)))));
  if (exp < -4 || exp >= precision) {
    const [mant, e] = v.toExponential(precision - 1).split('e');
    const m = mant!.includes('.') ? mant!.replace(/0+$/, '').replace(/\.$/, '') : mant!;
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const fixed = v.toFixed(Math.max(0, precision - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** Go's url.QueryEscape. */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

