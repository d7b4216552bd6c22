#!/usr/bin/env node
// Entry point for `npx openlines` and `npm start`: runs the compiled CLI (built by `npm ci` / `npm run build`).
import { runCli } from '../dist/cli/main.js';

runCli(process.argv.slice(2)).then((code) => {
  if (code !== 0) process.exitCode = code;
});
