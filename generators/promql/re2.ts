/**
 * Prometheus' regex semantics, decided by RE2 (re2js, a port of the engine Prometheus' Go
 * `regexp` package implements), not JavaScript's: a label matcher's regex is fully anchored
 * (`^(?:re)$`), `{name}` that is not a repetition is a literal, `(?i)` and `\pL` work, and
 * lookarounds or backreferences do not compile.
 */
import { RE2JS } from 're2js';

const compiled = new Map<string, RE2JS | string>();

function compile(re: string): RE2JS | string {
  let c = compiled.get(re);
  if (c === undefined) {
    try {
      c = RE2JS.compile(`^(?:${re})$`);
    } catch (e) {
      c = (e as Error).message || 'invalid regex';
    }
    compiled.set(re, c);
  }
  return c;
}

/** Whether a label matcher's regex matches the whole value, as Prometheus decides it; false if it does not compile. */
export function regexMatches(re: string, value: string): boolean {
  const c = compile(re);
  return typeof c !== 'string' && c.matches(value);
}

/** Why RE2 refuses a regex, or undefined when it compiles. */
export function regexError(re: string): string | undefined {
  const c = compile(re);
  return typeof c === 'string' ? c : undefined;
}
