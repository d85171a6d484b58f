/**
 * Parses one YAML file and keeps every node's position, so any later check can say
 * file:line:col. Aliases are bounded so an alias bomb is refused instead of expanded.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, type Document, type Node } from 'yaml';
import type { Problem } from '../validate/problems.js';
import { ParseCache } from './parse-cache.js';

export interface SourceFile {
  /** Path as shown in messages (relative to where the user ran the command when possible). */
  readonly file: string;
  readonly text: string;
  /** Plain data, or undefined when the file could not be parsed. */
  readonly data: unknown;
  /** Whether the text is YAML that parsed without problems (they were reported when it is not). */
  readonly parsed: boolean;
  /** The parsed document, for positions; undefined when the text has YAML problems. */
  readonly doc: Document.Parsed | undefined;
  readonly lines: LineCounter;
  /** Where `data` sits in the document, for one item of a list of documents (OpenSLO's list form). */
  readonly base?: readonly PathSegment[];
  /** Where a path of `data` was written, when `data` is not the document as written (templated SLIs, see sli-templates.ts). */
  readonly remap?: (path: readonly PathSegment[]) => PathSegment[];
}

const MAX_ALIAS_COUNT = 50;

export function parseYamlSource(file: string, text: string, cache?: ParseCache): { source: SourceFile; problems: Problem[] } {
  const hit = cache?.get(text);
  if (hit) return { source: locatedLater(file, text, hit.data), problems: [] };
  const { doc, lines } = located(text);
  const { data, problems } = documentData(file, doc, lines);
  if (problems.length === 0) cache?.put(text, data);
  return { source: { file, text, data, parsed: problems.length === 0, doc: problems.length === 0 ? doc : undefined, lines }, problems };
}

/** A file whose data came from the cache: parsed again for its document only if a position is asked for. */
function locatedLater(file: string, text: string, data: unknown): SourceFile {
  let parsed: { doc: Document.Parsed; lines: LineCounter } | undefined;
  const locate = () => (parsed ??= located(text));
  return {
    file,
    text,
    data,
    parsed: true,
    get doc() {
      return locate().doc;
    },
    get lines() {
      return locate().lines;
    },
  };
}

/** One document with every node's position. */
function located(text: string): { doc: Document.Parsed; lines: LineCounter } {
  const lines = new LineCounter();
  return { doc: parseDocument(text, { ...PARSE_OPTIONS, lineCounter: lines }), lines };
}

/** The cache of parsed files kept between runs, for these parse options. */
export const loadParseCache = (path: string) => ParseCache.load(path, { PARSE_OPTIONS, MAX_ALIAS_COUNT });

/** Every document of a multi-document file (`---` between them), each located in the one file. */
export function parseYamlDocuments(file: string, text: string): { sources: SourceFile[]; problems: Problem[] } {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter: lines });
  const docs = Array.isArray(parsed) ? parsed : [];
  const problems: Problem[] = [];
  const sources: SourceFile[] = [];
  for (const doc of docs) {
    const r = documentData(file, doc, lines);
    problems.push(...r.problems);
    if (!r.problems.length && r.data != null) sources.push({ file, text, data: r.data, parsed: true, doc, lines });
  }
  return { sources, problems };
}

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, merge: false, strict: true } as const;

function documentData(file: string, doc: Document.Parsed, lines: LineCounter): { data: unknown; problems: Problem[] } {
  const problems: Problem[] = [];
  for (const err of doc.errors) {
    const pos = lines.linePos(err.pos[0]);
    problems.push({ file, line: pos.line, col: pos.col, message: yamlMessage(err.code, err.message), hint: yamlHint(err.code) });
  }
  let data: unknown;
  if (problems.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      problems.push({
        file,
        line: 1,
        col: 1,
        message: `YAML aliases expand too far (${(e as Error).message.split('\n')[0]})`,
        hint: 'write the values out instead of nesting anchors and aliases',
      });
    }
  }
  return { data, problems };
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (code === 'DUPLICATE_KEY') return 'duplicate key: the same key appears twice in one mapping';
  return `YAML syntax: ${first.replace(/ at line \d+, column \d+:?$/, '')}`;
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'keep one of the two keys';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
    case 'BLOCK_AS_IMPLICIT_KEY':
      return 'check indentation and that every "key: value" pair has its colon';
    case 'MULTILINE_IMPLICIT_KEY':
      return 'quote the value or put a colon after the key';
    default:
      return 'fix the YAML syntax at this position (quote strings that contain ":" or "#")';
  }
}

export type PathSegment = string | number;

/**
 * Position of the node at `path` (or of its closest existing parent). With `key`, the
 * position of the mapping key itself, which is where a misspelt field should point.
 */
export function positionOf(source: SourceFile, relative: readonly PathSegment[], key = false): { line: number; col: number } {
  const path = [...(source.base ?? []), ...(source.remap ? source.remap(relative) : relative)];
  let node: unknown = source.doc?.contents;
  let best: Node | undefined = node as Node | undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if (last && key && isScalar(pair.key)) {
        best = pair.key;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      break;
    }
    if (node && typeof node === 'object' && 'range' in (node as object)) best = node as Node;
  }
  const offset = best?.range?.[0] ?? 0;
  return source.lines.linePos(offset);
}
