// The direction of imports (issue 15, point 5): every import of a file under src/ must follow the layer table in
// docs/architecture.md. The table is read from the doc, so the doc and the check cannot drift apart.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';

/** Arrows the table does not allow yet, each with why it stays for now. A stale entry fails the test as well. */
const EXCEPTIONS: readonly { from: string; to: string; reason: string }[] = [
  {
    from: 'src/rest/failure.ts',
    to: 'src/store/unavailable.ts',
    reason: 'the one error classifier answers 503 for a store outage; what an outage looks like is known to the store',
  },
  {
    from: 'src/rest/call-guards.ts',
    to: 'src/store/store.ts',
    reason: 'the limits shared by servers on one PostgreSQL are chosen by the store capability sharedByServers',
  },
  {
    from: 'src/rest/shared-limits.ts',
    to: 'src/store/limits-repository.ts',
    reason:
      'the rate bucket and operating time kept in PostgreSQL for several servers (issue 7): envelope state, no domain',
  },
  {
    from: 'src/rest/shared-limits.ts',
    to: 'src/store/db.ts',
    reason: 'the Db type, with the shared limits above (the rate bucket: single-statement upserts)',
  },
  {
    from: 'src/rest/shared-limits.ts',
    to: 'src/store/store.ts',
    reason: 'the Store type: a recorded call writes its operating-time bucket in a transaction (issue 20)',
  },
  {
    from: 'src/rest/shared-limits.ts',
    to: 'src/store/model-changes.ts',
    reason: 'the recorded bucket is noted as a read-model change, so every server forgets its kept buckets (issue 20)',
  },
];

interface Layer {
  readonly name: string;
  readonly paths: string[];
  readonly mayImport: Set<string> | 'all';
  readonly typesOnly: Set<string>;
}

function readLayerTable(): Layer[] {
  const doc = readFileSync('docs/architecture.md', 'utf8');
  const start = doc.indexOf('<!-- layers:');
  assert.notEqual(start, -1, 'docs/architecture.md has the layer table');
  const rows = doc.slice(start).split('\n').slice(3);
  const layers: Layer[] = [];
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const [name = '', files = '', imports = ''] = row
      .split('|')
      .slice(1)
      .map((cell) => cell.trim());
    const paths = [...files.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const targets = imports === 'nothing' ? [] : imports.split(/,\s*/);
    // `domain (types)`: only `import type` of that layer (erased at run time), e.g. repositories returning the model.
    const typesOnly = new Set(targets.filter((t) => t.endsWith(' (types)')).map((t) => t.slice(0, -' (types)'.length)));
    const mayImport = imports === 'every layer' ? 'all' : new Set(targets.filter((t) => !t.endsWith(' (types)')));
    layers.push({ name, paths, mayImport, typesOnly });
  }
  return layers;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}

/** Relative imports (static, `import type`, re-exports and dynamic), resolved to the .ts file they name. */
function importsOf(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(\bimport\s+type\s[^;]*?)?(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)];
  return found.map((m) => ({
    target: relative('.', join(dirname(file), m[2]!)).replace(/\.js$/, file.endsWith('.js') ? '.js' : '.ts'),
    typeOnly: m[1] !== undefined,
  }));
}

describe('layers', () => {
  const layers = readLayerTable();
  const layerOf = (file: string): Layer | undefined =>
    layers
      .flatMap((layer) => layer.paths.map((path) => ({ layer, path })))
      .filter(({ path }) => (path.endsWith('/') ? file.startsWith(path) : file === path))
      .sort((a, b) => b.path.length - a.path.length)[0]?.layer;

  it('layers: the table in docs/architecture.md names only layers it defines', () => {
    const names = new Set(layers.map((l) => l.name));
    assert.ok(names.has('wire') && names.has('domain') && names.has('rest'), [...names].join(', '));
    for (const layer of layers) {
      if (layer.mayImport !== 'all') for (const target of layer.mayImport) assert.ok(names.has(target), target);
      for (const target of layer.typesOnly) assert.ok(names.has(target), target);
    }
  });

  it('layers: every import under src/ follows the table, and every exception is still needed', () => {
    const used = new Set<(typeof EXCEPTIONS)[number]>();
    const violations: string[] = [];
    for (const file of sourceFiles('src')) {
      const from = layerOf(file);
      assert.ok(from, `${file} belongs to no layer in docs/architecture.md`);
      for (const { target, typeOnly } of importsOf(file)) {
        const to = layerOf(target);
        if (!to || to === from || from.mayImport === 'all' || from.mayImport.has(to.name)) continue;
        if (typeOnly && from.typesOnly.has(to.name)) continue;
        const exception = EXCEPTIONS.find((e) => e.from === file && e.to === target);
        if (exception) used.add(exception);
        else violations.push(`${file} (${from.name}) → ${target} (${to.name})`);
      }
    }
    assert.deepEqual(violations, []);
    assert.deepEqual(
      EXCEPTIONS.filter((e) => !used.has(e)).map((e) => `${e.from} → ${e.to}`),
      [],
      'exceptions no import needs any more: delete them',
    );
  });
});
