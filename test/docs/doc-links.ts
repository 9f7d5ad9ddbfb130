/**
 * What test/docs/links.test.ts checks, as plain functions over text: pointers into material a user of
 * the repository does not have, and the relative links of Markdown files.
 *
 * The link reader covers the Markdown this repository writes (inline links and images, reference
 * definitions, fenced code, code spans), not all of CommonMark.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Paths that exist only on the developers' machines: the `shared/` folder beside the project
 * (source documents, specs, research) and absolute paths of the machine itself. A path that merely
 * contains a folder called shared (`src/shared/x`) is not one of them, hence the look-behind.
 */
export const PRIVATE_POINTERS: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /(?<![\w./-])(?:\.{1,2}\/)*shared\/(?=[\w.-])/g, what: 'the shared/ folder (not in the repository)' },
  { pattern: /(?<![\w./:-])\/work\//g, what: 'an absolute machine path (/work/…)' },
  { pattern: /\bchannel-apis\.md\b/g, what: 'the research notes channel-apis.md (not in the repository)' },
  { pattern: /\bspecs\/canonical-order\.md\b/g, what: 'the spec copy of the canonical order (use docs/canonical-order.md)' },
  { pattern: /\bseeds?[\s/`'"]*0\d\d(?!\d)/g, what: 'a source document by its file number (cite its public source)' },
];

export interface Finding {
  file: string;
  line: number;
  text: string;
  what: string;
}

/** The lines of a file's text that hold a private pointer, each with the first kind it holds. */
export function privatePointers(file: string, text: string): Finding[] {
  const found: Finding[] = [];
  text.split('\n').forEach((line, i) => {
    const hit = PRIVATE_POINTERS.find(({ pattern }) => {
      pattern.lastIndex = 0;
      return pattern.test(line);
    });
    if (hit) found.push({ file, line: i + 1, text: line.trim(), what: hit.what });
  });
  return found;
}

export interface MarkdownLink {
  line: number;
  target: string;
}

/** For each line: whether it belongs to a fenced code block (the fence lines included). */
function inFence(lines: readonly string[]): boolean[] {
  let fence: string | null = null;
  return lines.map((line) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null) {
      if (marker !== undefined) fence = marker;
      return marker !== undefined;
    }
    if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
    return true;
  });
}

/** The text outside code: fenced blocks emptied, code spans blanked, so links shown as code are not read. */
function proseOnly(markdown: string): string[] {
  const lines = markdown.split('\n');
  const fenced = inFence(lines);
  return lines.map((line, i) => (fenced[i] ? '' : line.replace(/(`+)(?:(?!\1).)+?\1/g, (span) => ' '.repeat(span.length))));
}

/** Inline links and images `[text](target "title")`, `[text](<target>)`, and `[ref]: target` definitions. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseOnly(markdown).forEach((line, i) => {
    for (const m of line.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
      links.push({ line: i + 1, target: m[1]!.replace(/^<|>$/g, '') });
    }
    const definition = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line);
    if (definition) links.push({ line: i + 1, target: definition[1]!.replace(/^<|>$/g, '') });
  });
  return links;
}

/** A link that leaves the repository (a URL, mail) and is not checked here. */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const lines = markdown.split('\n');
  const fenced = inFence(lines);
  for (const [i, line] of lines.entries()) {
    if (fenced[i]) continue;
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage']);

function walk(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIPPED_DIRS.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(root, path, out);
    else out.push(relative(root, path));
  }
  return out;
}

/**
 * The repository's files: tracked ones and new ones not ignored (so a file is checked before its
 * first commit), relative to the root. Without git (an unpacked archive) every file but the build
 * output and dependencies.
 */
export function repositoryFiles(root: string): string[] {
  try {
    const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return [...new Set(listed.split('\0').filter(Boolean))].filter((f) => existsSync(join(root, f))).sort();
  } catch {
    return walk(root).sort();
  }
}
