// Bundles the CLI and server (src/cli/main.ts and everything it imports) into one file, dist/openlines.mjs, which
// bin/openlines.js runs (tsc's dist/ is for type checking, the bench's variants and anyone importing modules). Node's ESM loader spent ~65% of start-up resolving and reading the ~600 modules of
// Fastify, Kysely and the rest one by one; one file starts in about half the time (issue 10). Native and
// optional drivers stay outside: better-sqlite3 (a compiled addon) and pg (loaded on first use).

import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/openlines.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'pg-native'],
  // CommonJS dependencies call require(); in an ES module it has to be made.
  banner: {
    js: "import { createRequire as openlinesCreateRequire } from 'node:module';\nconst require = openlinesCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
});
