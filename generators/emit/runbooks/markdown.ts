/**
 * Markdown from untrusted catalog text: escaped so it stays plain text (no links, no HTML, no
 * headings or tables broken), code fenced with a fence longer than any backtick run inside.
 */

/**
 * Plain text for a Markdown paragraph or table cell. Escapes what can start inline markup
 * (emphasis, code, links, HTML, entities, table cells), what GFM would turn into a link by
 * itself (http://, www.), and block markup at the start; everything else stays readable.
 */
export function mdText(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
    .trim()
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/:\/\//g, '\\://')
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\\.`)
    .replace(/^([#+-]|\d+[.)])/, '\\$1');
}

/** A fenced code block whose fence cannot be closed by the content. */
export function codeBlock(code: string, language = ''): string {
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${code.replace(/\r\n?/g, '\n')}\n${fence}`;
}

/** Inline code for one line of text. */
export function codeSpan(text: string): string {
  const oneLine = text.replace(/\r\n?|\n/g, ' ');
  const longest = Math.max(0, ...[...oneLine.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${oneLine}${pad}${ticks}`;
}

/** A URL safe inside Markdown's (…) link target, or undefined when it is not plain http(s). */
export function mdUrl(url: string): string | undefined {
  if (!/^https?:\/\/[^\s<>"'`\\]+$/.test(url)) return undefined;
  return url.replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/**
 * A link from catalog data: escaped title, and the URL only when it is safe; otherwise plain
 * text. Not a code span: a link can sit in a table cell, where GFM splits on a `|` even inside
 * backticks and what follows would be read as Markdown again.
 */
export function mdLink(title: string, url: string): string {
  const safe = mdUrl(url);
  return safe ? `[${mdText(title)}](${safe})` : `${mdText(title)} (${mdText(url)})`;
}

/** GitHub's and GitLab's heading anchors: lower case, punctuation dropped, spaces to dashes. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Heading anchors of a Markdown document, outside code blocks. */
export function anchors(md: string): Set<string> {
  const out = new Set<string>();
  let fence: string | undefined;
  for (const line of md.split('\n')) {
    const f = /^(`{3,})/.exec(line)?.[1];
    if (f && (!fence || f.length >= fence.length)) {
      fence = fence ? undefined : f;
      continue;
    }
    if (!fence) {
      const h = /^#{1,6} (.+)$/.exec(line);
      if (h) out.add(headingSlug(h[1]!));
    }
  }
  return out;
}
