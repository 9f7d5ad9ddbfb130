/**
 * The test layout docs/architecture.md ("Tests") describes: under src/, a module's tests live in a
 * tests/ folder inside it, never beside the code; product tests live in the top-level test/.
 */
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

const tracked = (): string[] =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'src', 'test'], { encoding: 'utf8' }).split('\n').filter(Boolean);

it('keeps every test under src/ in a tests/ folder of its module', () => {
  const tests = tracked().filter((f) => f.startsWith('src/') && f.endsWith('.test.ts'));
  expect(tests.length).toBeGreaterThan(20);
  expect(tests.filter((f) => !f.split('/').includes('tests'))).toEqual([]);
});

it('has no module-style tests/ folder inside the top-level test/', () => {
  const stray = tracked().filter((f) => f.startsWith('test/') && f.split('/').includes('tests'));
  expect(stray).toEqual([]);
});
