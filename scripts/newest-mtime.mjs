// The newest modification time (ms) among the files below `paths` whose names match `pattern`:
// whether dist/ is older than the sources (scripts/setup.mjs builds then, bin/orderhub.js falls back
// to the sources). Plain Node, no dependencies: both run before anything is installed or built.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function newestMtime(paths, pattern) {
  let newest = 0;
  for (const path of paths) {
    const st = statSync(path);
    if (!st.isDirectory()) {
      if (pattern.test(path)) newest = Math.max(newest, st.mtimeMs);
      continue;
    }
    newest = Math.max(newest, newestMtime(readdirSync(path).map((name) => join(path, name)), pattern));
  }
  return newest;
}
