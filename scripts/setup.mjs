#!/usr/bin/env node
// Self-setup for orderhub. Plain Node ESM with NO dependencies: it runs before
// node_modules exists.
//
//   node scripts/setup.mjs                  # before `npm start` / `npm run bench`
//   node scripts/setup.mjs --with-postgres --with-browser  # before `npm test`
//   node scripts/setup.mjs --build          # also compile to dist/ when the sources changed
//
// 1. Makes sure npm dependencies are installed and current (runs `npm ci`
//    when node_modules is missing, stale, or a key module does not load).
// 2. With --with-postgres: makes sure PostgreSQL server binaries exist
//    (installs Debian's `postgresql` package via apt-get when running as root).
//    The tests never use a system cluster: test/support/global-setup.ts starts
//    its own throwaway cluster from these binaries on a free port.
//
// 2b. With --with-browser: makes sure Debian's chromium exists for the console's browser tests
//    (apt-get when running as root; no browser build is ever downloaded).
//
// 3. With --build: compiles src/ and bench/ to dist/ (tsconfig.build.json) when dist is missing or
//    older than a source file. bin/orderhub.js runs dist when it is current, the sources otherwise.
//    It also bundles the operations console (src/console) into dist/console (scripts/build-console.mjs).
//
// It is a fast no-op (well under 0.5 s) when everything is already in place.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestMtime } from './newest-mtime.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const args = new Set(process.argv.slice(2));
const WITH_POSTGRES = args.has('--with-postgres');
const WITH_BROWSER = args.has('--with-browser');
const BUILD = args.has('--build');
const REQUIRE_PG = process.env.ORDERHUB_REQUIRE_PG === '1';

const log = (msg) => console.error(`[setup] ${msg}`);

function fail(msg) {
  console.error(`\n[setup] ERROR: ${msg}\n`);
  process.exit(1);
}

// --------------------------------------------------------------------------
// npm dependencies
// --------------------------------------------------------------------------

const NODE_MODULES = join(ROOT, 'node_modules');
const LOCKFILE = join(ROOT, 'package-lock.json');
const HIDDEN_LOCKFILE = join(NODE_MODULES, '.package-lock.json');

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** Checks that `name` is installed (its package.json is resolvable from the repo root). */
function moduleInstalled(req, name) {
  try {
    const pkgJson = join(NODE_MODULES, name, 'package.json');
    if (existsSync(pkgJson)) {
      JSON.parse(readFileSync(pkgJson, 'utf8'));
      return true;
    }
    // Hoisted somewhere unusual: fall back to Node's own resolution.
    req.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** Returns a reason string when dependencies need (re)installing, else null. */
function depsProblem() {
  if (!existsSync(NODE_MODULES)) return 'node_modules is missing';
  if (existsSync(LOCKFILE)) {
    const hidden = mtimeMs(HIDDEN_LOCKFILE);
    if (hidden === null) return 'node_modules/.package-lock.json is missing';
    if (mtimeMs(LOCKFILE) > hidden) return 'package-lock.json is newer than node_modules';
  }

  const req = createRequire(join(ROOT, 'package.json'));
  const required = ['better-sqlite3', 'tsx', 'kysely'];
  if (WITH_POSTGRES) required.push('vitest', 'typescript', 'pg');
  if (BUILD) required.push('typescript');
  for (const name of required) {
    if (!moduleInstalled(req, name)) return `module "${name}" is not installed`;
  }
  for (const bin of WITH_POSTGRES ? ['tsx', 'vitest', 'tsc'] : ['tsx']) {
    if (!existsSync(join(NODE_MODULES, '.bin', bin))) return `node_modules/.bin/${bin} is missing`;
  }

  // The native binding is loaded lazily by better-sqlite3, so actually open a DB.
  try {
    const Database = req('better-sqlite3');
    const db = new Database(':memory:');
    db.prepare('select 1').get();
    db.close();
  } catch (err) {
    return `better-sqlite3 native binding does not load (${String(err?.message ?? err).split('\n')[0]})`;
  }
  return null;
}

/**
 * node-gyp (used when better-sqlite3 has to be compiled) downloads Node headers
 * from nodejs.org unless told where local ones are. When the running Node ships
 * its headers (official tarballs and most packages do), point npm at them so an
 * offline-ish machine (npm registry only) can still build native modules.
 */
function npmEnv() {
  const env = { ...process.env };
  const hasNodedir = Object.keys(env).some((k) => k.toLowerCase() === 'npm_config_nodedir');
  if (!hasNodedir) {
    const prefix = dirname(dirname(process.execPath));
    if (existsSync(join(prefix, 'include', 'node', 'common.gypi'))) env.npm_config_nodedir = prefix;
  }
  return env;
}

function findOnPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/**
 * Runs npm with the given args, streaming its output, and returns
 * { status, output } (output = the last ~64 KiB of stderr+stdout, for diagnosis).
 */
function runNpm(npmArgs) {
  // Prefer the npm that belongs to this node (npm_execpath is set under `npm run`).
  const npmCli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : null;
  const [cmd, cmdArgs] = npmCli ? [process.execPath, [npmCli, ...npmArgs]] : ['npm', npmArgs];
  return new Promise((resolve) => {
    let output = '';
    const keep = (chunk) => {
      output = (output + chunk.toString()).slice(-65536);
    };
    const child = spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: npmEnv() });
    child.stdout.on('data', (c) => {
      process.stdout.write(c);
      keep(c);
    });
    child.stderr.on('data', (c) => {
      process.stderr.write(c);
      keep(c);
    });
    child.on('error', (err) => resolve({ status: null, output: '', error: err }));
    child.on('close', (status, signal) => resolve({ status: status ?? signal, output }));
  });
}

/** `npm ci` refused because package.json and package-lock.json are not in sync. */
function lockOutOfSync(output) {
  return /EUSAGE/.test(output) && /in sync|from lock file/i.test(output);
}

async function ensureDeps() {
  const problem = depsProblem();
  if (!problem) return;

  const hasLock = existsSync(LOCKFILE);
  let npmArgs = hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  log(`${problem}; running \`npm ${npmArgs.join(' ')}\` ...`);
  const started = Date.now();
  let res = await runNpm(npmArgs);
  if (res.error) fail(`could not run npm (${res.error.message}). Is npm installed and on PATH?`);
  if (res.status !== 0 && hasLock && lockOutOfSync(res.output)) {
    // Typically: the npm registry in use does not serve every platform-specific
    // optional package (e.g. @rollup/rollup-darwin-*), so the lockfile cannot list
    // them and `npm ci` rejects it. `npm install --no-save` installs from the same
    // lockfile without rewriting package.json/package-lock.json.
    npmArgs = ['install', '--no-save', '--no-audit', '--no-fund'];
    log(`\`npm ci\` says package-lock.json is out of sync with package.json; falling back to \`npm ${npmArgs.join(' ')}\` ...`);
    res = await runNpm(npmArgs);
  }
  if (res.status !== 0) {
    fail(
      `\`npm ${npmArgs.join(' ')}\` failed (exit ${res.status}). See the npm output above.\n` +
        '        better-sqlite3 may need a C++ toolchain (python3, make, g++) to build its native binding.',
    );
  }
  // npm may write package-lock.json after the hidden lockfile; make sure the
  // next run does not consider node_modules stale.
  if (existsSync(HIDDEN_LOCKFILE)) {
    const now = new Date();
    try {
      utimesSync(HIDDEN_LOCKFILE, now, now);
    } catch {
      /* not fatal */
    }
  }
  const after = depsProblem();
  if (after) fail(`dependencies still not usable after npm install: ${after}`);
  log(`dependencies installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// --------------------------------------------------------------------------
// PostgreSQL binaries (for the test suites)
// --------------------------------------------------------------------------

/** Same search order as test/support/global-setup.ts. */
function findPgBinDir() {
  const override = process.env.ORDERHUB_PG_BIN;
  if (override) return existsSync(join(override, 'initdb')) ? override : null;
  const base = '/usr/lib/postgresql';
  try {
    const versions = readdirSync(base).sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    for (const v of versions) {
      const dir = join(base, v, 'bin');
      if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
    }
  } catch {
    /* no Debian layout */
  }
  const initdb = findOnPath('initdb');
  if (initdb && existsSync(join(dirname(initdb), 'pg_ctl'))) return dirname(initdb);
  return null;
}

function warnNoPg(reason) {
  const msg =
    `PostgreSQL server binaries (initdb/pg_ctl) not found: ${reason}.\n` +
    '        PostgreSQL test suites will be SKIPPED. Install them with\n' +
    '        `apt-get install -y postgresql` (Debian/Ubuntu) or set ORDERHUB_PG_BIN.\n' +
    '        (CI sets ORDERHUB_REQUIRE_PG=1, which makes this an error.)';
  if (REQUIRE_PG) fail(msg.replace('will be SKIPPED', 'are REQUIRED (ORDERHUB_REQUIRE_PG=1)'));
  console.error(`\n[setup] WARNING: ${msg}\n`);
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** apt-get update, then install `pkg`; the output goes to a log file in the temp folder. */
function aptInstall(aptGet, pkg) {
  const logFile = join(tmpdir(), `orderhub-apt-${pkg}-${Date.now()}.log`);
  log(`installing ${pkg} with apt-get (log: ${logFile}) ...`);
  const fd = openSync(logFile, 'a');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (cmdArgs) => spawnSync(aptGet, cmdArgs, { stdio: ['ignore', fd, fd], env });
  let res = run(['update', '-qq']);
  if (res.status === 0) res = run(['install', '-y', '-qq', pkg]);
  closeSync(fd);
  return { res, logFile };
}

function ensurePostgres() {
  if (findPgBinDir()) return;

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const aptGet = findOnPath('apt-get');
  if (!isRoot || !aptGet) {
    warnNoPg(!aptGet ? 'apt-get is not available' : 'not running as root, so cannot apt-get install postgresql');
    return;
  }

  const started = Date.now();
  const { res, logFile } = aptInstall(aptGet, 'postgresql');
  if (res.error || res.status !== 0) {
    console.error(tail(logFile));
    warnNoPg(`apt-get failed (exit ${res.status ?? res.error?.message}); see ${logFile}`);
    return;
  }
  const dir = findPgBinDir();
  if (!dir) {
    warnNoPg(`apt-get succeeded but no /usr/lib/postgresql/*/bin/initdb appeared; see ${logFile}`);
    return;
  }
  // Debian's package may create and start a "main" cluster on port 5432. We leave
  // it alone and never use it: the tests start their own throwaway cluster on a
  // free port with its own socket directory (test/support/global-setup.ts).
  log(`PostgreSQL installed in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir}); tests use their own temp cluster, not the system one`);
}

/**
 * Debian's chromium for the console's browser tests (driven by playwright-core; no browser build is
 * ever downloaded). Installed with apt-get when running as root; otherwise the browser suite says
 * it is skipped (CI=true makes a missing browser an error there).
 */
function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const aptGet = findOnPath('apt-get');
  if (!isRoot || !aptGet) {
    log(`no /usr/bin/chromium and ${!aptGet ? 'no apt-get' : 'not root'}: the console's browser tests will be skipped (apt-get install -y chromium)`);
    return;
  }
  const started = Date.now();
  const { res, logFile } = aptInstall(aptGet, 'chromium');
  if (res.error || res.status !== 0 || !existsSync('/usr/bin/chromium')) {
    console.error(tail(logFile));
    log(`chromium could not be installed (see ${logFile}): the console's browser tests will be skipped`);
    return;
  }
  log(`chromium installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// --------------------------------------------------------------------------
// dist/ (compiled JavaScript)
// --------------------------------------------------------------------------

function ensureBuild() {
  const marker = join(ROOT, 'dist', 'src', 'cli', 'main.js');
  const sources = ['src', 'bench', 'tsconfig.json', 'tsconfig.build.json'].map((p) => join(ROOT, p));
  const built = mtimeMs(marker);
  if (built !== null && built >= newestMtime(sources, /\.(ts|json)$/)) return;
  const started = Date.now();
  log(built === null ? 'compiling to dist/ (first run)…' : 'sources changed: compiling to dist/…');
  const tsc = join(NODE_MODULES, 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail('the TypeScript build failed (see above); `npm run typecheck` shows the same errors');
  log(`compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// The operations console (src/console -> dist/console, bundled by esbuild): rebuilt when a source
// of it (or the lockfile, i.e. Preact) is newer than its index.html.
function ensureConsoleBuild() {
  const marker = join(ROOT, 'dist', 'console', 'index.html');
  const built = mtimeMs(marker);
  const newest = Math.max(newestMtime([join(ROOT, 'src', 'console')], /\.(tsx?|css|html)$/), mtimeMs(LOCKFILE) ?? 0, mtimeMs(join(ROOT, 'scripts', 'build-console.mjs')) ?? 0);
  if (built !== null && built >= newest) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail('the console build failed (see above); `node scripts/build-console.mjs` shows the same errors');
}

await ensureDeps();
if (WITH_POSTGRES) ensurePostgres();
if (WITH_BROWSER) ensureChromium();
if (BUILD) ensureBuild();
if (BUILD) ensureConsoleBuild();
