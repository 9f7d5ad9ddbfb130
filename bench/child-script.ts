/**
 * How a benchmark starts one of its sibling scripts in a child process: compiled (dist/bench/*.js,
 * what `npm run bench` runs) or from source through tsx (`node --import tsx bench/….ts`).
 */
import { join } from 'node:path';

export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Node flags a child needs to load the benchmark's modules the way this process does. */
export const CHILD_EXEC_ARGV: string[] = [...(FROM_SOURCE ? ['--import', 'tsx'] : []), ...(process.env.BENCH_CHILD_ARGV ?? '').split(' ').filter(Boolean)];

/** `process.execPath` arguments that run bench script `name` (without extension). */
export function childScript(name: string): string[] {
  return [...CHILD_EXEC_ARGV, join(import.meta.dirname, `${name}${FROM_SOURCE ? '.ts' : '.js'}`)];
}

/** `process.execPath` arguments that run the orderhub CLI the way this benchmark runs (compiled or source). */
export function cliArgs(): string[] {
  return [...CHILD_EXEC_ARGV, join(import.meta.dirname, '..', 'src', 'cli', FROM_SOURCE ? 'main.ts' : 'main.js')];
}
