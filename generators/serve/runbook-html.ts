/**
 * The generated runbooks as HTML: the same Markdown `generate` writes, rendered by micromark
 * (raw HTML in it stays text, and only safe link protocols become links), with headings given
 * the GitHub-style ids the alerts' runbook_url anchors point at, and links between runbooks
 * turned into links between the served pages.
 */
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { runbookRenderer } from '../emit/runbooks/render.js';
import { headingSlug } from '../emit/runbooks/markdown.js';
import type { Model } from '../model/types.js';
import { journeyPaths, runbookFile } from '../naming.js';

export interface RunbookPage {
  readonly title: string;
  /** Safe HTML. */
  readonly html: string;
  readonly headings: readonly { readonly id: string; readonly text: string; readonly level: number }[];
}

const INDEX_FILE = 'README.md';

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Where a runbook's relative link (`web.md#x`, `README.md`) leads among the served pages. */
function servedHref(href: string, files: ReadonlyMap<string, string>): string {
  const m = /^([^/#?:]+\.md)(#.*)?$/.exec(decode(href));
  if (!m || !files.has(m[1]!)) return href;
  const page = m[1] === INDEX_FILE ? '/runbooks' : `/runbooks/${encodeURIComponent(files.get(m[1]!)!)}`;
  return escapeAttr(`${page}${m[2] ?? ''}`);
}

export function markdownToRunbookPage(md: string, files: ReadonlyMap<string, string> = new Map()): RunbookPage {
  const seen = new Map<string, number>();
  const headings: { id: string; text: string; level: number }[] = [];
  let html = micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  html = html.replace(/<h([1-6])>([\s\S]*?)<\/h\1>/g, (_, level: string, inner: string) => {
    const text = decode(inner.replace(/<[^>]*>/g, ''));
    const base = headingSlug(text);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const id = n ? `${base}-${n}` : base;
    headings.push({ id, text, level: Number(level) });
    return `<h${level} id="${escapeAttr(id)}"><a class="anchor" href="#${escapeAttr(encodeURIComponent(id))}" aria-label="Link to this section">#</a>${inner}</h${level}>`;
  });
  html = html.replace(/<a href="([^"]*)"/g, (_, href: string) =>
    /^https?:/i.test(href) ? `<a href="${href}" rel="noopener noreferrer"` : `<a href="${servedHref(href, files)}"`,
  );
  return { title: headings[0]?.text ?? 'Runbook', html, headings };
}

/** Runbooks a server keeps rendered; rendering one takes tens of milliseconds (micromark). */
const KEPT = 64;

/**
 * The model's runbooks as pages, rendered when first asked for (500 services' runbooks take
 * half a minute to render, too long to wait for at start) and kept, the most recent first.
 */
export function runbookPages(model: Model): { has(name: string): boolean; get(name: string): RunbookPage | undefined } {
  const render = runbookRenderer(model);
  const files = new Map<string, string>(model.services.map((s) => [runbookFile(s), s.name]));
  files.set(INDEX_FILE, '');
  if (model.journeys.length) files.set(journeyPaths.runbook, journeyPaths.name);
  const services = new Map(model.services.map((s) => [s.name, s]));
  const kept = new Map<string, RunbookPage>();
  const has = (name: string) => name === '' || services.has(name) || (name === journeyPaths.name && model.journeys.length > 0);
  const markdown = (name: string) => (name === '' ? render.index()[1] : name === journeyPaths.name && !services.has(name) ? render.journeys()[1] : render.service(services.get(name)!)[1]);
  return {
    has,
    get(name) {
      if (!has(name)) return undefined;
      let page = kept.get(name);
      if (page) kept.delete(name);
      else page = markdownToRunbookPage(markdown(name), files);
      kept.set(name, page);
      if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
      return page;
    },
  };
}
