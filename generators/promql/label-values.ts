/**
 * Label values that satisfy (or violate) the matchers of a catalog selector, decided with
 * Prometheus' semantics (RE2): generated tests feed the SLI's real metric names and labels with
 * them, and validation names a series two selectors of a combined SLI would both select.
 */
import type { Matcher } from '../model/types.js';
import { regexMatches } from './re2.js';

export function matches(m: Matcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return regexMatches(m.value, value);
    case '!~':
      return !regexMatches(m.value, value);
  }
}

/** A character each POSIX class of RE2 holds. */
const POSIX_EXAMPLES: Record<string, string> = { alnum: 'a', alpha: 'a', ascii: 'a', blank: ' ', cntrl: '\t', digit: '0', graph: 'a', lower: 'a', print: 'a', punct: '-', space: ' ', upper: 'A', word: 'a', xdigit: '0' };

/** A short string a simple regex matches: first alternative, one of each repeated item, "0" for any char. */
export function regexExample(re: string): string {
  let out = '';
  let i = 0;
  const atom = (): string => {
    const c = re[i]!;
    if (c === '\\') {
      const n = re[i + 1] ?? '';
      i += 2;
      return ({ d: '0', w: 'a', s: ' ', D: 'a', W: '-', S: 'a' } as Record<string, string>)[n] ?? n;
    }
    if (c === '.') {
      i++;
      return '0';
    }
    if (c === '[') {
      // A class that starts with a POSIX class ([[:digit:]], [[:alpha:]_]) ends after it.
      const posix = /^\[\[:([a-z]+):\]/.exec(re.slice(i));
      const end = re.indexOf(']', posix ? i + posix[0].length : i + 2);
      const body = re.slice(i + 1, end < 0 ? re.length : end);
      i = end < 0 ? re.length : end + 1;
      if (posix) return POSIX_EXAMPLES[posix[1]!] ?? 'a';
      if (body.startsWith('^')) return 'z' === body[1] ? 'y' : 'z';
      return body[0] === '\\' ? (body[1] === 'd' ? '0' : body[1] ?? 'a') : body[0] ?? 'a';
    }
    if (c === '(' && /^\(\?[imsU-]+\)/.test(re.slice(i))) {
      // A flag group such as (?i) matches nothing itself: the flags are for the matcher.
      i = re.indexOf(')', i) + 1;
      return '';
    }
    if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < re.length; j++) {
        if (re[j] === '\\') j++;
        else if (re[j] === '(') depth++;
        else if (re[j] === ')' && --depth === 0) break;
      }
      const inner = re.slice(i + 1, j).replace(/^\?[imsU-]*:/, '');
      i = j + 1;
      return regexExample(inner);
    }
    i++;
    return c;
  };
  // First top-level alternative only.
  let depth = 0;
  for (let j = 0; j < re.length; j++) {
    if (re[j] === '\\') j++;
    else if (re[j] === '(' || re[j] === '[') depth++;
    else if (re[j] === ')' || re[j] === ']') depth--;
    else if (re[j] === '|' && depth === 0) {
      re = re.slice(0, j);
      break;
    }
  }
  while (i < re.length) {
    if (re[i] === '^' || re[i] === '$') {
      i++;
      continue;
    }
    const a = atom();
    const q = re[i];
    if (q === '*' || q === '?') {
      i++;
      if (re[i] === '?') i++;
      continue;
    }
    if (q === '+') {
      i++;
      if (re[i] === '?') i++;
      out += a;
      continue;
    }
    // In RE2 a brace that does not open a repetition ({n}, {n,}, {n,m}) is a literal.
    if (q === '{' && /^\{\d+(,\d*)?\}/.test(re.slice(i))) {
      const end = re.indexOf('}', i);
      const n = Number(re.slice(i + 1, end).split(',')[0]);
      i = end + 1;
      out += a.repeat(Number.isFinite(n) ? n : 1);
      continue;
    }
    out += a;
  }
  return out;
}

const FALLBACKS = ['500', '200', '404', 'ok', 'error', 'failure', 'success', 'GET', 'POST', 'default', 'x', '1', '0', 'true', 'false'];

/** A value meeting every matcher on one label, or undefined when none was found. */
export function valueFor(matchers: readonly Matcher[], preferred: string): string | undefined {
  const candidates = [
    ...matchers.filter((m) => m.op === '=').map((m) => m.value),
    ...matchers.filter((m) => m.op === '=~').map((m) => regexExample(m.value)),
    ...(matchers.every((m) => m.op === '!=' || m.op === '!~') ? [preferred, ''] : []),
    preferred,
    ...FALLBACKS,
    ...matchers.filter((m) => m.op === '!~').map((m) => `${regexExample(m.value)}_other`),
  ];
  return candidates.find((v) => matchers.every((m) => matches(m, v)));
}

/** A value failing `m` (so the series is not selected by it), meeting `keep` on the same label. */
export function violatingValue(m: Matcher, keep: readonly Matcher[]): string | undefined {
  const candidates =
    m.op === '!=' ? [m.value] : m.op === '!~' ? [regexExample(m.value), ...FALLBACKS] : ['200', 'success', 'ok', 'slokit_other', ...FALLBACKS, ''];
  return candidates.find((v) => !matches(m, v) && keep.every((k) => matches(k, v)));
}

/**
 * Labels (without __name__) for a series selected by all of `select` and, when `exclude` is
 * given, not selected by it. `base` supplies values for labels no matcher mentions.
 */
export function labelsFor(
  select: readonly Matcher[],
  base: Readonly<Record<string, string>>,
  exclude?: readonly Matcher[],
): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...base };
  const names = [...new Set(select.map((m) => m.label))];
  for (const name of names) {
    const v = valueFor(select.filter((m) => m.label === name), base[name] ?? 'test');
    if (v === undefined) return undefined;
    if (v === '') delete labels[name];
    else labels[name] = v;
  }
  if (exclude) {
    // Give the excluded label a realistic value (code="200" rather than no code at all).
    let done = false;
    for (const m of exclude) {
      const v = violatingValue(m, select.filter((k) => k.label === m.label));
      if (v === undefined) continue;
      if (v === '') delete labels[m.label];
      else labels[m.label] = v;
      done = true;
      break;
    }
    if (!done && !exclude.some((m) => !matches(m, labels[m.label] ?? ''))) return undefined;
  }
  // Every matcher of `select` must still hold after the exclusion step.
  return select.every((m) => matches(m, labels[m.label] ?? '')) ? labels : undefined;
}
