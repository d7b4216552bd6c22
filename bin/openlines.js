#!/usr/bin/env node
// Entry point for `npx openlines` and `npm start`: runs the compiled CLI.
import '../dist/cli/main.js';
