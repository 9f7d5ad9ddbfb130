/**
 * The docs a user reads point only at what a user has: no pointer into the developers' `shared/`
 * folder or an absolute machine path (in Markdown or in source), and every relative Markdown link
 * resolves to a file of the repository (and to a heading, where it names one).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headingAnchors, isExternal, markdownLinks, privatePointers, repositoryFiles } from './doc-links.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** These two files name the forbidden pointers in order to find them. */
const CHECKER_FILES = new Set(['test/docs/doc-links.ts', 'test/docs/links.test.ts']);

/** Markdown and source text; lock files are generated and not read by people. */
const TEXT_FILE = /\.(md|ts|mts|cts|js|mjs|cjs|json|ya?ml|sh)$/;
const GENERATED = new Set(['package-lock.json']);

const files = repositoryFiles(ROOT);
const textFiles = files.filter((f) => TEXT_FILE.test(f) && !GENERATED.has(f) && !CHECKER_FILES.has(f));
const markdownFiles = files.filter((f) => f.endsWith('.md'));
const fileSet = new Set(files.map((f) => normalize(f)));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('the checker itself', () => {
  it('sees the pointers it is meant to forbid, and not what merely looks like them', () => {
    const hits = (text: string) => privatePointers('x.md', text).map((f) => f.line);
    expect(hits('see `shared/specs/canonical-order.md`')).toEqual([1]);
    expect(hits(' * Contract: ../shared/specs/canonical-order.md.')).toEqual([1]);
    expect(hits('Full notes: `/work/shared/specs/x.md` §2')).toEqual([1]);
    expect(hits('(seed 003 #13)\nseed `004_…`\n`/work/shared/seeds/000_…`')).toEqual([1, 2, 3]);
    expect(hits('src/shared/util.ts, https://example.com/work/x, a seed of 42, seed 1234, state shared by all'))
      .toEqual([]);
  });

  it('reads links outside code only, and GitHub heading anchors', () => {
    const md = [
      '# Title: `GET /v1/events`',
      'A [link](docs/a.md#x "title") and ![img](<img/b c.png>), `[not](a link)`.',
      '```',
      '[not](inside/a/fence.md)',
      '```',
      '[ref]: ../c.md',
      '## Title: `GET /v1/events`',
    ].join('\n');
    expect(markdownLinks(md)).toEqual([
      { line: 2, target: 'docs/a.md#x' },
      { line: 2, target: 'img/b c.png' },
      { line: 6, target: '../c.md' },
    ]);
    expect([...headingAnchors(md)]).toEqual(['title-get-v1events', 'title-get-v1events-1']);
    expect(isExternal('https://manual.dropohs.cz/api/orders')).toBe(true);
    expect(isExternal('mailto:a@b.c')).toBe(true);
    expect(isExternal('docs/api.md')).toBe(false);
  });
});

describe('no pointer into files a user does not have', () => {
  it('finds the repository files to check', () => {
    expect(markdownFiles).toContain('README.md');
    expect(markdownFiles).toContain('docs/canonical-order.md');
    expect(textFiles.length).toBeGreaterThan(100);
  });

  it('no Markdown file or source file points into shared/ or at an absolute /work/ path', () => {
    const findings = textFiles.flatMap((file) => privatePointers(file, read(file)));
    expect(findings.map((f) => `${f.file}:${f.line}: ${f.what}: ${f.text}`)).toEqual([]);
  });
});

describe('relative Markdown links resolve', () => {
  it('every relative link of README.md, docs/ and the channel READMEs names an existing file (and heading)', () => {
    const broken: string[] = [];
    for (const file of markdownFiles) {
      for (const { line, target } of markdownLinks(read(file))) {
        if (isExternal(target)) continue;
        const [pathPart = '', anchor] = target.split('#', 2) as [string, string | undefined];
        const path = decodeURI(pathPart.split('?')[0]!);
        const resolved = path === '' ? file : normalize(join(dirname(file), path));
        const where = `${file}:${line}: ${target}`;
        if (resolved === '..' || resolved.startsWith(`..${sep}`)) {
          broken.push(`${where} (outside the repository)`);
        } else if (!fileSet.has(resolved) && !files.some((f) => f.startsWith(`${resolved}/`))) {
          broken.push(`${where} (no such file)`);
        } else if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md') && !headingAnchors(read(resolved)).has(anchor)) {
          broken.push(`${where} (no heading #${anchor})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
