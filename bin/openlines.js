#!/usr/bin/env node
// Entry point for `npx openlines` and `npm start`: runs the bundled CLI (built by `npm ci` / `npm run build`:
// tsc, then scripts/bundle.mjs).
import { runCli } from '../dist/openlines.mjs';

runCli(process.argv.slice(2)).then((code) => {
  if (code !== 0) process.exitCode = code;
});
