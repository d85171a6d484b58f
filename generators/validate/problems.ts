/** A located problem in the catalog: what is wrong, where, and how to fix it. */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
  readonly hint?: string;
}

export function formatProblem(p: Problem): string {
  const head = `${p.file}:${p.line}:${p.col}: error: ${p.message}`;
  return p.hint ? `${head}\n  fix: ${p.hint}` : head;
}

/** Problems sorted by file then position, so a run's report is stable. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message),
  );
}

/** Thrown only at the CLI boundary to carry every problem of a run at once. */
export class CatalogError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(`${problems.length} problem(s) in the catalog`);
  }
}
