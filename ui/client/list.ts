/**
 * The SLO list in the browser: filters apply as you type (the server applies the same ones
 * from the URL, so a filtered link or a page without scripts shows the same rows), and the
 * numbers refresh every 30 seconds. When the refresh fails the page says the numbers are old.
 */
import { refreshEvery } from './refresh.js';

const REFRESH_MS = 30_000;

document.documentElement.classList.add('js');
const form = document.getElementById('filters') as HTMLFormElement;

function filters(): Record<string, string> {
  const data = new FormData(form);
  const value = (name: string) => String(data.get(name) ?? '');
  return { env: value('env'), team: value('team'), tier: value('tier'), state: value('state'), q: value('q').trim().toLowerCase() };
}

/** The query string of the current filters. */
function query(): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters())) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : location.pathname;
}

function apply(): void {
  const f = filters();
  let shown = 0;
  const rows = document.querySelectorAll<HTMLTableRowElement>('#slos tbody tr');
  for (const tr of rows) {
    const d = tr.dataset;
    const match = (!f.team || d.team === f.team) && (!f.tier || d.tier === f.tier) && (!f.state || d.state === f.state) && (!f.q || (d.search ?? '').includes(f.q));
    tr.hidden = !match;
    if (match) shown += 1;
  }
  document.getElementById('shown')!.textContent = `${shown} of ${rows.length} SLOs`;
  document.getElementById('empty')!.hidden = shown > 0;
  history.replaceState(null, '', query());
}

/** Another environment means other numbers: those come from the server, with a new page. */
const reloads = (e: Event) => (e.target as HTMLElement).dataset.reload === 'true';
form.addEventListener('input', (e) => reloads(e) || apply());
form.addEventListener('change', (e) => (reloads(e) ? location.assign(query()) : apply()));
form.addEventListener('submit', (e) => {
  e.preventDefault();
  apply();
});
refreshEvery(REFRESH_MS, ['#slos tbody', '#counts'], apply);
