// HTTPS: the self-signed certificate made on first start, and a certificate given by path (TLS_CERT, TLS_KEY).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { generate } from 'selfsigned';
import { loadSettings, SettingsError } from '../../src/settings.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function httpsPost(url: string, ca: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTPS listener', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openlines-tls-'));
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the self-signed certificate made under the data folder, valid for 127.0.0.1', async () => {
    const t = await startTestServer({ https: true });
    servers.push(t);
    const ca = readFileSync(t.server.certPath!, 'utf8');
    const answer = await httpsPost(`${t.server.httpsUrl}/rest/1/${t.webhookCode}/imopenlines.config.add`, ca, '{}');
    assert.equal(answer.status, 200);
    assert.match(answer.text, /^\{"result":\d+,/);
  });

  it('serves a certificate and key given by path instead (TLS_CERT, TLS_KEY)', async () => {
    const pems = await generate([{ name: 'commonName', value: 'operator cert' }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    writeFileSync(certPath, pems.cert);
    writeFileSync(keyPath, pems.private);
    const t = await startTestServer({ https: true, settings: { tlsCertPath: certPath, tlsKeyPath: keyPath } });
    servers.push(t);
    assert.equal(t.server.certPath, certPath);
    const answer = await httpsPost(
      `${t.server.httpsUrl}/rest/1/${t.webhookCode}/imopenlines.config.add`,
      pems.cert,
      '{}',
    );
    assert.equal(answer.status, 200);
  });

  it('refuses TLS_CERT without TLS_KEY at start', () => {
    assert.throws(() => loadSettings({ TLS_CERT: '/x/cert.pem' }), SettingsError);
  });
});
