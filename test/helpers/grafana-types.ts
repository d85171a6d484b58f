/**
 * Type-checks dashboard JSON against Grafana's own published dashboard model (the Dashboard
 * type of @grafana/schema) with the TypeScript compiler. Enums in that model are TypeScript
 * enums; Json<T> turns them into the literal values JSON carries.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, scratchDir } from './catalog.js';

const JSON_TYPE = `
type Json<T> =
  T extends string ? \`\${T}\` :
  T extends number ? (\`\${T}\` extends \`\${infer N extends number}\` ? N : number) :
  T extends boolean | null | undefined ? T :
  T extends Array<infer U> ? Array<Json<U>> :
  T extends object ? { [K in keyof T]: Json<T[K]> } :
  T;
`;

export function typeCheckDashboards(dashboards: Record<string, unknown>): { ok: boolean; output: string } {
  const dir = scratchDir('slokit-grafana-types-');
  const body = Object.entries(dashboards)
    .map(([name, d], i) => `// ${name}\nexport const d${i} = ${JSON.stringify(d, null, 1)} satisfies Json<Dashboard>;`)
    .join('\n\n');
  writeFileSync(join(dir, 'check.ts'), `import type { Dashboard } from '@grafana/schema';\n${JSON_TYPE}\n${body}\n`);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        baseUrl: '.',
        paths: { '@grafana/schema': [join(ROOT, 'node_modules', '@grafana', 'schema', 'dist', 'types', 'index.d.ts')] },
      },
      files: ['check.ts'],
    }),
  );
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
