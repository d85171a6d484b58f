/**
 * Keeps a page's numbers current: every `ms`, fetches the same URL and swaps in the parts named
 * by their selectors. When slokit does not answer, the page says its numbers are not current
 * rather than leaving them looking fresh.
 */
export function refreshEvery(ms: number, selectors: readonly string[], after: (fresh: Document) => void = () => undefined): void {
  const swap = (fresh: Document, selector: string) => {
    const next = fresh.querySelector(selector);
    const old = document.querySelector(selector);
    if (next && old) old.replaceWith(next);
    else if (old) old.remove();
    else if (next && selector === '#unreachable') document.querySelector('header')!.after(next);
  };
  const refresh = async () => {
    try {
      const res = await fetch(location.href, { headers: { accept: 'text/html' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const fresh = new DOMParser().parseFromString(await res.text(), 'text/html');
      for (const selector of ['#source', '#unreachable', ...selectors]) swap(fresh, selector);
      after(fresh);
    } catch {
      const source = document.getElementById('source');
      if (source && !source.dataset.stale) {
        source.dataset.stale = 'true';
        source.append(' · slokit is not answering: these numbers are not current');
      }
    }
  };
  setInterval(() => void refresh(), ms);
}
