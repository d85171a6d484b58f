/**
 * YAML text for generated files: block style, two-space indents, sequences indented under
 * their key, multi-line text (PromQL, dashboard JSON) as literal blocks, no line folding.
 *
 * Written here rather than with the yaml package's stringify, which is general and took most
 * of the time of generating 1,000 services (rule and test files are megabytes of YAML). The
 * data is plain (objects, arrays, strings, numbers, booleans), so the rules are few, and
 * every string that is not obviously safe is quoted (single quotes for printable text, JSON
 * for the rest, which is also a valid YAML double-quoted scalar): catalog text cannot open a
 * new key, document or alias.
 */

// Words YAML 1.1 parsers (Go's yaml.v2, used by Prometheus tools) read as booleans or null.
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null']);
const LONGEST_RESERVED = Math.max(...[...RESERVED].map((w) => w.length));
const PLAIN = /^[A-Za-z_][A-Za-z0-9_./:-]*$/;
const DURATION = /^(?:[0-9]+(?:ms|[smhdwy]))+$/;
// Printable in YAML, tabs allowed: what a literal block may hold on one line.
const LITERAL_LINE = /^[^\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]*$/;

function quoted(text: string): string {
  // JSON escapes are YAML escapes; YAML also wants DEL and C1 controls escaped.
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function isPlain(text: string): boolean {
  // Called for every key and value of a pack: decided by the first character where it can be.
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57) return DURATION.test(text);
  if (!PLAIN.test(text) || text.endsWith(':')) return false;
  return text.length > LONGEST_RESERVED || !RESERVED.has(text.toLowerCase());
}

/**
 * A mapping written once and placed under any key or list item: its lines at indent 0. A
 * block's lines at any indent are these lines indented (a literal block's lines are relative
 * to its key; its empty lines stay empty), so a rule written into several files is written once.
 */
export class YamlMapping {
  readonly lines: readonly string[];
  constructor(value: object) {
    const out: string[] = [];
    mapping(value, '', out);
    // A literal block is one entry of `out` holding its lines.
    this.lines = out.length ? out.join('\n').split('\n') : [];
  }
}

function placed(m: YamlMapping, indent: string, out: string[]): void {
  for (const line of m.lines) out.push(line === '' ? '' : indent + line);
}

/** A literal block for text with 0 or 1 trailing newline whose lines need no escaping; else undefined. */
function literal(text: string, indent: string): string | undefined {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body.endsWith('\n') || body.startsWith(' ') || body.startsWith('\n') || body === '') return undefined;
  const lines = body.split('\n');
  if (lines.some((l) => !LITERAL_LINE.test(l) || (l !== '' && /\s$/.test(l)))) return undefined;
  const inner = `${indent}  `;
  return `${text.endsWith('\n') ? '|' : '|-'}\n${lines.map((l) => (l === '' ? '' : inner + l)).join('\n')}`;
}

function scalarString(text: string, indent: string): string {
  if (isPlain(text)) return text;
  if (text.includes('\n')) return literal(text, indent) ?? quoted(text);
  // Single quotes keep PromQL's double quotes readable; only a quote itself is doubled.
  if (LITERAL_LINE.test(text)) return `'${text.replaceAll("'", "''")}'`;
  return quoted(text);
}

function scalar(value: unknown, indent: string): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'string') return scalarString(value, indent);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    return String(value);
  }
  if (value instanceof YamlMapping) return value.lines.length ? undefined : '{}';
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (typeof value === 'object' && Object.values(value as object).every((v) => v === undefined)) return '{}';
  return undefined;
}

function entries(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, v]) => v !== undefined);
}

function mapping(value: object, indent: string, out: string[]): void {
  for (const [key, v] of entries(value)) {
    const k = isPlain(key) ? key : quoted(key);
    const s = scalar(v, indent);
    if (s !== undefined) out.push(`${indent}${k}: ${s}`);
    else {
      out.push(`${indent}${k}:`);
      block(v, `${indent}  `, out);
    }
  }
}

function sequence(items: readonly unknown[], indent: string, out: string[]): void {
  for (const item of items) {
    const s = scalar(item, indent);
    if (s !== undefined) {
      out.push(`${indent}- ${s}`);
    } else if (Array.isArray(item)) {
      out.push(`${indent}-`);
      sequence(item, `${indent}  `, out);
    } else {
      // The first key shares the dash's line: "- name: x", the rest align under it.
      const start = out.length;
      if (item instanceof YamlMapping) placed(item, `${indent}  `, out);
      else mapping(item as object, `${indent}  `, out);
      out[start] = `${indent}- ${out[start]!.slice(indent.length + 2)}`;
    }
  }
}

function block(value: unknown, indent: string, out: string[]): void {
  if (value instanceof YamlMapping) placed(value, indent, out);
  else if (Array.isArray(value)) sequence(value, indent, out);
  else mapping(value as object, indent, out);
}

export function toYaml(value: unknown, header?: string): string {
  const out: string[] = [];
  const s = scalar(value, '');
  if (s !== undefined) out.push(s);
  else block(value, '', out);
  const body = `${out.join('\n')}\n`;
  return header ? `${header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n${body}` : body;
}

export const GENERATED_HEADER = 'Generated by slokit from the service catalog. Do not edit: change the catalog and regenerate.';
