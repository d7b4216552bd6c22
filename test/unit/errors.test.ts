// The error catalogue in both directions (Fastify's test/internals/errors.test.js): every code in ERRORS and
// RESULT_ERRORS is raised somewhere in src/ and named by a test, and every code a test expects is catalogued.
// (docs/errors.md is generated from the same tables and drift-checked in docs.test.ts.)

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ERRORS, RESULT_ERRORS } from '../../src/wire/errors.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const CATALOGUE = 'src/wire/errors.ts';
const THIS_FILE = join('test', 'unit', 'errors.test.ts');
/** Tests whose error codes are sample data for an encoder, not answers the server gives. */
const ENCODER_TESTS = new Set([join('test', 'unit', 'xml.test.ts')]);

/** The catalogue file counts from the RestError class on (argumentError raises ERROR_ARGUMENT), not its tables. */
const srcText = sources('src')
  .map((path) => {
    const text = readFileSync(path, 'utf8');
    return path === CATALOGUE ? text.slice(text.indexOf('export class RestError')) : text;
  })
  .join('\n');
const testFiles = sources('test').filter((path) => path !== THIS_FILE);
const testText = testFiles.map((path) => readFileSync(path, 'utf8')).join('\n');

const quoted = (code: string) => new RegExp(`['"\`]${code}['"\`]`);
const CODES = [...Object.keys(ERRORS), ...Object.keys(RESULT_ERRORS)];

/** Codes a test expects an answer to carry: `error: 'X'`, `.error, 'X'`, assertError(…, status, 'X'). */
function expectedCodes(text: string): Set<string> {
  const patterns = [
    /\berror: '([A-Za-z_]+)'/g,
    /\.error, '([A-Za-z_]+)'/g,
    /assert(?:OAuth)?Error\([^;]*?, \d{3}, '([A-Za-z_]+)'/g,
  ];
  return new Set(patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!)));
}

describe('error catalogue (wire/errors.ts)', () => {
  it('catalogue: every code is raised somewhere in src/', () => {
    const never = CODES.filter((code) => !quoted(code).test(srcText));
    assert.deepEqual(never, [], 'codes listed but never raised: raise them or remove them');
  });

  it('catalogue: every code is named in at least one test', () => {
    const untested = CODES.filter((code) => !quoted(code).test(testText));
    assert.deepEqual(untested, [], 'codes without a test');
  });

  it('catalogue: every code a test expects is listed', () => {
    const listed = new Set(CODES);
    const unknown = testFiles
      .filter((path) => !ENCODER_TESTS.has(path))
      .flatMap((path) => [...expectedCodes(readFileSync(path, 'utf8'))].map((code) => `${code} (${path})`))
      .filter((entry) => !listed.has(entry.slice(0, entry.indexOf(' '))));
    assert.deepEqual(unknown, [], 'codes tests expect that the catalogue does not list');
  });

  it('catalogue: the expectation scan finds the codes tests assert', () => {
    // Guards the scan itself: a pattern that stopped matching would make the test above pass vacuously.
    const found = expectedCodes(testText);
    for (const code of ['ERROR_METHOD_NOT_FOUND', 'ERROR_ARGUMENT', 'CONFIG_NOT_FOUND', 'invalid_grant']) {
      assert.ok(found.has(code), code);
    }
  });
});
