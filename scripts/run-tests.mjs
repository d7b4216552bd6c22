#!/usr/bin/env node
// Runs every test file under test/ with node's test runner (Node 20 has no --test globs).
// Usage: node scripts/run-tests.mjs [path-substring ...]   e.g. `npm test -- php-params`
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...collect(path));
    else if (name.endsWith('.test.ts')) files.push(path);
  }
  return files;
}

const filters = process.argv.slice(2);
let files = collect('test')
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

// The browser tests drive Debian's Chromium. Install it when it is missing and we can (root with apt-get);
// OPENLINES_SKIP_UI=1 leaves them out explicitly; otherwise a missing browser fails the run.
const CHROMIUM = '/usr/bin/chromium';
if (files.some((f) => f.startsWith(join('test', 'ui'))) && !existsSync(CHROMIUM)) {
  if (process.env.OPENLINES_SKIP_UI === '1') {
    console.log(`OPENLINES_SKIP_UI=1: leaving out the browser tests (${CHROMIUM} is not installed)`);
    files = files.filter((f) => !f.startsWith(join('test', 'ui')));
  } else if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log(`${CHROMIUM} is missing: installing Debian's chromium for the browser tests (apt-get)`);
    const install = (args) =>
      spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    install(['update', '-qq']);
    install(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  }
  if (!existsSync(CHROMIUM) && process.env.OPENLINES_SKIP_UI !== '1') {
    console.error(`${CHROMIUM} is missing: install it (apt-get install chromium) or set OPENLINES_SKIP_UI=1`);
    process.exit(1);
  }
}
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
