// Secrets are compared in constant time (issue 8). No timing is measured: the test proves that the comparison
// goes through crypto.timingSafeEqual — for the function itself and on each HTTP path that checks a secret
// (webhook codes, OAuth access tokens, client secrets, also when the client does not exist) — and a source review
// that no secret or hash is compared with ===, !==, equals or localeCompare anywhere else.
//
// Review notes: webhooks are looked up by user id and every hook of the user is compared (authenticate.ts);
// tokens, refresh tokens and codes are looked up by the SHA-256 of the presented secret (an index lookup on a
// hash reveals nothing usable about the secret) and then compared again with secretMatches; an unknown client_id
// is compared against a dummy hash so that it takes the same path (oauth-service.ts).

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { hashSecret, secretMatches } from '../../src/domain/secrets.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const calls: [Buffer, Buffer][] = [];

before(() => {
  const original = crypto.timingSafeEqual;
  mock.method(crypto, 'timingSafeEqual', (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    calls.push([Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)]);
    return original(a, b);
  });
  // The named import in secrets.ts is bound to node:crypto's ESM exports: update them to the spy.
  syncBuiltinESMExports();
});
after(() => {
  mock.restoreAll();
  syncBuiltinESMExports();
});

function countCalls<T>(work: () => Promise<T>): Promise<{ value: T; count: number }> {
  const before = calls.length;
  return work().then((value) => ({ value, count: calls.length - before }));
}

describe('secretMatches', () => {
  it('compares the SHA-256 digests with timingSafeEqual, whether they match or not', async () => {
    const stored = hashSecret('s3cretcode');
    let r = await countCalls(async () => secretMatches('s3cretcode', stored));
    assert.deepEqual(r, { value: true, count: 1 });
    r = await countCalls(async () => secretMatches('s3cretcodf', stored));
    assert.deepEqual(r, { value: false, count: 1 });
    const [presented, expected] = calls.at(-1)!;
    assert.equal(presented.length, 32);
    assert.equal(expected.toString('hex'), stored);
  });
});

describe('secret checks over HTTP go through timingSafeEqual', () => {
  let t: TestServer;
  let clientId: string;
  before(async () => {
    t = await startTestServer({ store: 'sqlite' });
    ({ clientId } = await t.server.oauth.createApp({ name: 'Timing', scopes: ['imopenlines'] }));
  });
  after(() => t.close());

  it('a webhook code, right or wrong', async () => {
    const right = await countCalls(() => t.call('imopenlines.revision.get'));
    assert.equal(right.value.status, 200);
    assert.ok(right.count >= 1);
    const wrong = await countCalls(() =>
      t.call('imopenlines.revision.get', {}, { hook: `${t.url}/rest/1/${'x'.repeat(16)}/` }),
    );
    assert.equal(wrong.value.status, 401);
    assert.ok(wrong.count >= 1, 'the wrong code was compared, not rejected early');
  });

  it('an OAuth access token', async () => {
    const { accessToken } = await t.server.oauth.issueToken(clientId, 1);
    const r = await countCalls(() =>
      t.request('/rest/imopenlines.revision.get', {
        method: 'POST',
        headers: { Authorization: `Bearer ${accessToken}` },
      }),
    );
    assert.equal(r.value.status, 200);
    assert.ok(r.count >= 1);
  });

  it('a client secret at the token endpoint, also for an unknown client', async () => {
    for (const id of [clientId, 'local.nosuchclient0000000000']) {
      const r = await countCalls(() =>
        t.request('/oauth/token/', {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: id,
            client_secret: 'wrong',
            refresh_token: 'x',
          }).toString(),
        }),
      );
      assert.equal(r.value.status, 401, r.value.text);
      assert.ok(r.count >= 1, `client ${id}: the secret was compared`);
    }
  });
});

describe('source review', () => {
  it('no secret or hash is compared outside secretMatches (===, !==, equals, localeCompare)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) files.push(path);
      }
    };
    walk('src');
    const secretName = String.raw`[\w.]*(?:_hash|Hash|[sS]ecret|accessToken|refreshToken|presented)\b(?:\([^()]*\))?`;
    const comparison = new RegExp(
      String.raw`${secretName}\s*(?:[!=]==?|\.equals\(|\.localeCompare\()|(?:[!=]==?)\s*${secretName}`,
    );
    const offending: string[] = [];
    for (const file of files) {
      if (file.endsWith('secrets.ts')) continue;
      for (const [i, line] of readFileSync(file, 'utf8').split('\n').entries()) {
        if (/^\s*(\/\/|\*)/.test(line)) continue;
        const stripped = line.replace(/(?:[!=]==?)\s*(?:undefined|null|''|"")|typeof\s+\w+/g, '');
        if (comparison.test(stripped)) offending.push(`${file}:${i + 1}: ${line.trim()}`);
      }
    }
    assert.deepEqual(offending, []);
  });
});
