/** Link checks on generated runbooks: alert runbook_urls and relative links must land on a file and a heading. */
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { parse } from 'yaml';
import { anchors } from '../../generators/emit/runbooks/markdown.js';

export { anchors };

/** Elements that Markdown itself produces; anything else in the HTML came from raw HTML in the text. */
const MARKDOWN_ELEMENTS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'a', 'code', 'pre', 'em', 'strong', 'del', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'blockquote', 'hr', 'br']);

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** What a Markdown viewer would make of a runbook: its link targets and any element Markdown does not make. */
export function renderedLinks(md: string): { hrefs: string[]; foreignElements: string[] } {
  const html = micromark(md, { allowDangerousHtml: true, allowDangerousProtocol: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  return {
    hrefs: [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => decode(m[1]!)),
    foreignElements: [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase()).filter((e) => !MARKDOWN_ELEMENTS.has(e)),
  };
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
  for (const [path, text] of files) {
    if (!path.startsWith('prometheus/rules/')) continue;
    const doc = parse(text) as { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] };
    for (const rule of doc.groups.flatMap((g) => g.rules).filter((r) => r.alert)) {
      const url = rule.annotations?.runbook_url ?? '';
      const [file, anchor] = url.startsWith(base) ? url.slice(base.length).split('#') : [];
      if (!file || !anchor || !resolves(file, anchor, file)) broken.push(`${path} ${rule.alert}: ${url}`);
    }
  }
  return broken;
}
