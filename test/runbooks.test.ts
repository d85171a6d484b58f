/**
 * Runbooks: a section per alert whose anchor is the alert's runbook_url anchor, every relative
 * link resolving, markdownlint clean, catalog text escaped, templates overridable per catalog.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePack } from '../generators/emit/pack.js';
import { headingSlug } from '../generators/emit/runbooks/markdown.js';
import { loadModel } from '../generators/pipeline.js';
import { writeOutput } from '../generators/write/output-dir.js';
import { copyCatalog, edit, ROOT, scratchDir } from './helpers/catalog.js';
import { anchors, brokenRunbookLinks, renderedLinks } from './helpers/runbook-links.js';
import { isOwnTemplateAction, templateActions } from './helpers/template-actions.js';

const model = loadModel(copyCatalog()).model!;
const pack = await generatePack(model);
const runbooks = new Map([...pack.files].filter(([p]) => p.startsWith('runbooks/')).map(([p, t]) => [p.replace('runbooks/', ''), t]));

function alertsOf(service: string): { alert: string; sli: string; url: string }[] {
  const rules = parse(pack.files.get(service === 'journeys' ? 'prometheus/rules/journeys.yml' : `prometheus/rules/${service}.yml`)!) as { groups: { rules: { alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[] };
  return rules.groups.flatMap((g) => g.rules.filter((r) => r.alert).map((r) => ({ alert: r.alert!, sli: r.labels!.sli!, url: r.annotations!.runbook_url! })));
}

function alertSections(md: string): string[] {
  const alertsPart = md.split('\n## Alerts\n')[1] ?? '';
  return [...alertsPart.matchAll(/^### (.+)$/gm)].map((m) => headingSlug(m[1]!));
}

/** The journeys runbook's alert sections: every third-level heading is one. */
const journeySections = (md: string) => [...md.matchAll(/^### (.+)$/gm)].map((m) => headingSlug(m[1]!));

describe('runbooks', () => {
  it('one per service, one for the journeys, and an index by team and tier', () => {
    expect([...runbooks.keys()].sort()).toEqual([...model.services.map((s) => `${s.name}.md`), 'journeys.md', 'README.md'].sort());
    const index = runbooks.get('README.md')!;
    for (const t of new Set(model.services.map((s) => s.team.name))) expect(index).toContain(`## ${t}`);
    expect(index).toMatch(/\| \[registry\]\(registry\.md\) \| 1 \| requests 99\.9%, request-latency 99% \|/);
  });

  it("every alert's runbook_url resolves to a generated file and an existing heading; one section per alert, none extra", () => {
    const base = `${model.settings.runbookBaseUrl}/`;
    let checked = 0;
    for (const service of model.services) {
      const alerts = alertsOf(service.name);
      const sections = alertSections(runbooks.get(`${service.name}.md`)!);
      const anchorsOfAlerts = alerts.map((a) => {
        expect(a.url.startsWith(base)).toBe(true);
        const [file, anchor] = a.url.slice(base.length).split('#');
        expect(runbooks.has(file!), a.url).toBe(true);
        expect(anchors(runbooks.get(file!)!).has(anchor!), a.url).toBe(true);
        checked++;
        return anchor!;
      });
      expect(sections.sort()).toEqual([...anchorsOfAlerts].sort());
      expect(new Set(sections).size).toBe(sections.length);
    }
    const journeyAlerts = alertsOf('journeys');
    expect(journeyAlerts.length).toBeGreaterThan(0);
    for (const a of journeyAlerts) {
      const [file, anchor] = a.url.slice(base.length).split('#');
      expect(file).toBe('journeys.md');
      expect(anchors(runbooks.get('journeys.md')!).has(anchor!), a.url).toBe(true);
      checked++;
    }
    expect(journeySections(runbooks.get('journeys.md')!).sort()).toEqual(journeyAlerts.map((a) => a.url.split('#')[1]!).sort());
    expect(checked).toBe(pack.summary.alertRules);
  });

  it('every link inside the runbooks resolves to a file and, when it has one, a heading; no raw HTML', () => {
    expect(brokenRunbookLinks(pack.files, model.settings.runbookBaseUrl)).toEqual([]);
    const relative = [...runbooks.values()].flatMap((md) => renderedLinks(md).hrefs).filter((h) => !/^https?:/.test(h));
    expect(relative.length).toBeGreaterThan(20);
  });

  it('the link check has teeth: a dangling anchor, a missing file, a javascript: link and raw HTML are all reported', () => {
    const broken = new Map(pack.files);
    broken.set('runbooks/redis.md', `${runbooks.get('redis.md')!}\n[a](#no-such-heading) [b](nowhere.md) [c](javascript:alert(1)) <img src=x>\n`);
    const found = brokenRunbookLinks(broken, model.settings.runbookBaseUrl);
    expect(found).toEqual(['runbooks/redis.md: raw HTML <img>', 'runbooks/redis.md: #no-such-heading', 'runbooks/redis.md: nowhere.md', 'runbooks/redis.md: javascript:alert(1)']);
  });

  it('a link that is not http(s) stays text, in a table cell too, where a | inside backticks would have ended the cell', async () => {
    const dir = copyCatalog();
    edit(join(dir, 'teams.yaml'), (t) => t.replace('issue_tracker: https://gitlab.example.com/platform/web/-/issues', 'issue_tracker: "[x](javascript:alert(1))=|"'));
    const hostile = await generatePack(loadModel(dir).model!);
    const web = hostile.files.get('runbooks/web.md')!;
    expect(web).toContain('| Tickets | issue tracker (\\[x\\](javascript:alert(1))=\\|) |');
    expect(renderedLinks(web).hrefs.filter((h) => h.startsWith('javascript'))).toEqual([]);
    expect(brokenRunbookLinks(hostile.files, model.settings.runbookBaseUrl)).toEqual([]);
  });

  it('say what fired with the real numbers of the SLI', () => {
    const md = runbooks.get('registry.md')!;
    const section = md.split('### requests burn fast')[1]!.split('\n### ')[0]!;
    expect(section).toContain('**SlokitErrorBudgetBurnFast**, severity critical (pages)');
    expect(section).toContain('more than 14.4 times faster');
    expect(section).toContain('At 14.4× the 30d budget is gone in about 2.1 days');
    expect(section).toContain('2% of the budget has been spent');
    expect(section).toContain('Users see these failures directly');
    expect(section).toContain('sli:error:ratio_rate5m{service="registry", sli="requests"}');
    expect(section).toContain('[postgres](postgres.md)');
    expect(section).toContain("amtool silence add 'alertname=SlokitErrorBudgetBurnFast' 'service=registry' 'sli=requests' 'long=1h' 'short=5m'");
    expect(section).toContain('Page package-oncall');
    expect(section).toMatch(/\[open in Explore\]\(https:\/\/grafana\.example\.com\/explore\?/);
    // The first step asks whether a dependency's page (what holds this alert back at Alertmanager) fires.
    const first = section.indexOf('First, is a dependency paging?');
    expect(first).toBeGreaterThan(section.indexOf('#### First five minutes'));
    expect(first).toBeLessThan(section.indexOf('Error ratio now'));
    expect(section).toContain('ALERTS{alertstate="firing", severity="critical", alertname=~"SlokitErrorBudgetBurn.+|SlokitSaturationCritical", service=~"postgres|redis"}');
    // A vanished page is never held back by a dependency, and its section does not say so.
    expect(md.split('### requests vanished')[1]!.split('\n### ')[0]).not.toContain('First, is a dependency paging?');
    expect(runbooks.get('postgres.md')).not.toContain('First, is a dependency paging?');
  });

  it("write where an SLI fails once, in the SLI's own section, which every alert section of the SLI links to", () => {
    const md = runbooks.get('registry.md')!;
    const worstRoute = 'topk(5,\n  ((sum by (route) (rate(registry_http_requests_total{code=~"5.."}[5m]))';
    expect(md.split(worstRoute)).toHaveLength(2);
    const where = md.split('\n### requests: where it fails\n')[1]!.split('\n### ')[0]!;
    expect(where).toContain(worstRoute);
    expect(where).toContain('Bad events per second, broken down by the significant labels');
    const requestsAlerts = alertsOf('registry').filter((a) => a.sli === 'requests');
    expect(requestsAlerts.length).toBeGreaterThan(5);
    for (const a of requestsAlerts) {
      const section = md.split(`\n### ${a.url.split('#')[1]!.replace(/-/g, ' ')}\n`)[1]!.split('\n### ')[0]!;
      expect(section, a.alert).toContain('[requests: where it fails](#requests-where-it-fails)');
      expect(section, a.alert).not.toContain(worstRoute);
    }
    const latency = md.split('\n### request-latency: where it fails\n')[1]!.split('\n### ')[0]!;
    expect(latency).toContain('99th percentile latency now, against the 1s threshold');
    expect(latency).toContain('histogram_quantile(0.99, sum by (le) (rate(registry_http_request_duration_seconds_bucket{route!~".*/blobs/.*"}[5m])))');
  });

  it('pass markdownlint with the committed config', () => {
    const out = join(scratchDir(), 'out');
    writeOutput(out, pack.files);
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'markdownlint-cli2', 'markdownlint-cli2-bin.mjs'), '--config', join(ROOT, 'runbooks', '.markdownlint-cli2.jsonc'), join(out, 'runbooks', '*.md')], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/Summary: 0 error\(s\)/);
    expect(r.status).toBe(0);
  });

  it('markdownlint fails on a broken runbook (the check has teeth)', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'bad.md'), '# one\n## two\n#### skipped level\n');
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'markdownlint-cli2', 'markdownlint-cli2-bin.mjs'), '--config', join(ROOT, 'runbooks', '.markdownlint-cli2.jsonc'), join(dir, 'bad.md')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
  });
});

describe('escaping catalog text', () => {
  it('cannot inject links, HTML, headings or table cells into a runbook, nor Go template actions into annotations', async () => {
    const dir = copyCatalog();
    const hostile = 'Evil [click](https://evil.example) <script>alert(1)</script> www.evil.example | extra | cell {{ .Value }} `tick` *bold*';
    edit(join(dir, 'services', 'registry.yaml'), (t) =>
      t
        .replace('description: Container registry API (pull and push of images).', `description: '${hostile}'`)
        .replace('team: package\n', `team: package\nrunbook:\n  steps: ['# not a heading [x](javascript:alert(1))']\n  commands: ["echo \\"\`\`\`\\" && rm -rf /tmp/x"]\n  links: [{ title: 'ok ] (x', url: 'javascript:alert(1)' }, { title: 'Status page', url: 'https://status.example.com/a(b)' }]\n`),
    );
    const { model: m, problems } = loadModel(dir);
    expect(problems).toEqual([]);
    const p = await generatePack(m!);
    const md = p.files.get('runbooks/registry.md')!;
    const html = micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
    expect(html).not.toMatch(/<script/);
    expect(html).not.toMatch(/href="https:\/\/evil/);
    expect(html).not.toMatch(/href="javascript/);
    expect(html).not.toMatch(/href="http:\/\/www\.evil/);
    expect(html).toContain('href="https://status.example.com/a%28b%29"');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The hostile description stays one paragraph; the overview table keeps two columns.
    expect(html.match(/<h1>/g)).toHaveLength(1);
    const overviewRows = md.split('\n').filter((l) => /^\| (Team|Tier|Pager|Escalation|Tickets|Dashboard|Catalog entry) \|/.test(l));
    for (const row of overviewRows) expect(row.replace(/\\\|/g, '').split('|').length).toBe(4);
    // The command's backticks cannot close its code block.
    expect(md).toContain('````sh\necho "```" && rm -rf /tmp/x\n````');
    // Annotations carry only slokit's own template actions.
    for (const [path, text] of p.files) {
      if (!path.startsWith('prometheus/rules/')) continue;
      // (Not even the escape of '{{': the hostile text is nowhere in an annotation.)
      for (const a of templateActions(text)) expect(isOwnTemplateAction(a) && a !== '{{ "{{" }}', a).toBe(true);
    }
  });
});

describe('template overrides', () => {
  it('a catalog can replace any template; the rest stay bundled', async () => {
    const dir = copyCatalog();
    mkdirSync(join(dir, 'runbook-templates', 'partials'), { recursive: true });
    writeFileSync(join(dir, 'runbook-templates', 'partials', 'remediation.md.hbs'), '#### Remediation\n\nFollow the incident process at our wiki, then page {{escalation.pager}}.\n');
    edit(join(dir, 'defaults.yaml'), (t) => t.replace('labels:\n', 'runbook_templates: runbook-templates\nlabels:\n'));
    const { model: m, problems } = loadModel(dir);
    expect(problems).toEqual([]);
    const p = await generatePack(m!);
    const md = p.files.get('runbooks/registry.md')!;
    expect(md).toContain('Follow the incident process at our wiki, then page package-oncall.');
    expect(md).not.toContain('silence this alert (and only this one)');
    expect(md).toContain('#### First five minutes');
    expect(p.files.get('runbooks/gitaly.md')).toContain('Follow the incident process');
  });

  it('a template folder outside the catalog, or a broken template, is a clear error', async () => {
    const dir = copyCatalog();
    edit(join(dir, 'defaults.yaml'), (t) => t.replace('labels:\n', 'runbook_templates: ../elsewhere\nlabels:\n'));
    const { problems } = loadModel(dir);
    expect(problems.map((x) => x.message)).toEqual(['runbook_templates "../elsewhere" is not a folder inside the catalog']);
    const dir2 = copyCatalog();
    mkdirSync(join(dir2, 'tpl'));
    writeFileSync(join(dir2, 'tpl', 'index.md.hbs'), '# Runbooks\n\n{{nothing}}\n');
    edit(join(dir2, 'defaults.yaml'), (t) => t.replace('labels:\n', 'runbook_templates: tpl\nlabels:\n'));
    await expect(generatePack(loadModel(dir2).model!)).rejects.toThrow(/runbook templates failed to render: "nothing" not defined/);
  });
});
