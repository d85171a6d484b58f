/** A small parser for the Prometheus text exposition format: series names, labels and values. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

export function parseExposition(text: string): { samples: Sample[]; errors: string[] } {
  const samples: Sample[] = [];
  const errors: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) {
      errors.push(`line ${i + 1}: not a sample: ${line.slice(0, 80)}`);
      return;
    }
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    LABEL.lastIndex = 0;
    let lm: RegExpExecArray | null;
    while (LABEL.lastIndex < body.length && (lm = LABEL.exec(body))) labels[lm[1]!] = unescape(lm[2]!);
    if (LABEL.lastIndex < body.length && body.length > 0) errors.push(`line ${i + 1}: unreadable labels`);
    samples.push({ name: m[1]!, labels, value: Number(m[4]) });
  });
  return { samples, errors };
}
