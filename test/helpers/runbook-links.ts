/** Link checks on generated runbooks: alert runbook_urls and relative links must land on a file and a heading. */
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { anchors } from '../../generators/emit/runbooks/markdown.js';
import { ruleFiles } from './rule-files.js';

export { anchors };

/**
 * A CommonMark parser with GitHub's tables, strikethrough and bare-URL links, independent of the
 * renderer `slokit serve` uses (micromark), and about 15 times faster at reading a runbook's
 * tokens than micromark is at rendering it. Every link is kept, whatever its protocol, so that a
 * `javascript:` link is seen and reported rather than silently dropped.
 */
const reader = new MarkdownIt({ html: true, linkify: true });
reader.validateLink = () => true;

function* walk(tokens: readonly Token[]): Generator<Token> {
  for (const t of tokens) {
    yield t;
    if (t.children) yield* walk(t.children);
  }
}

/** What a Markdown viewer would make of a runbook: its link targets and any raw HTML element in it. */
export function renderedLinks(md: string): { hrefs: string[]; foreignElements: string[] } {
  const hrefs: string[] = [];
  const foreignElements: string[] = [];
  for (const t of walk(reader.parse(md, {}))) {
    if (t.type === 'link_open') hrefs.push(t.attrGet('href') ?? '');
    else if (t.type === 'html_inline' || t.type === 'html_block') foreignElements.push(...[...t.content.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase()));
  }
  return { hrefs, foreignElements };
}

/** Every link of the pack's runbooks and alerts that does not resolve, as `where: link`. */
export function brokenRunbookLinks(files: ReadonlyMap<string, string>, runbookBaseUrl: string): string[] {
  const runbooks = new Map([...files].filter(([p]) => p.startsWith('runbooks/')).map(([p, t]) => [p.slice('runbooks/'.length), t]));
  // Each runbook's anchors once: a runbook holds hundreds of links into a few others.
  const anchorsOf = new Map<string, Set<string>>();
  const resolves = (file: string | undefined, anchor: string | undefined, here: string) => {
    const name = file || here;
    const doc = runbooks.get(name);
    if (doc === undefined) return false;
    if (!anchorsOf.has(name)) anchorsOf.set(name, anchors(doc));
    return !anchor || anchorsOf.get(name)!.has(anchor);
  };
  const broken: string[] = [];
  for (const [file, md] of runbooks) {
    const { hrefs, foreignElements } = renderedLinks(md);
    for (const e of foreignElements) broken.push(`runbooks/${file}: raw HTML <${e}>`);
    for (const link of hrefs) {
      if (/^https?:\/\//.test(link)) continue;
      const [path, anchor] = link.split('#');
      if (/^[a-z][a-z0-9+.-]*:/i.test(link) || !resolves(path, anchor, file)) broken.push(`runbooks/${file}: ${link}`);
    }
  }
  const base = `${runbookBaseUrl.replace(/\/+$/, '')}/`;
  for (const [path, doc] of ruleFiles(files)) {
    for (const rule of doc.groups.flatMap((g) => g.rules).filter((r) => r.alert)) {
      const url = rule.annotations?.runbook_url ?? '';
      const [file, anchor] = url.startsWith(base) ? url.slice(base.length).split('#') : [];
      if (!file || !anchor || !resolves(file, anchor, file)) broken.push(`${path} ${rule.alert}: ${url}`);
    }
  }
  return broken;
}
