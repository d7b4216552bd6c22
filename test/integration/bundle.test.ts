// The bundle that `npm start` and `npx openlines` run (dist/openlines.mjs, scripts/bundle.mjs): made anew from the
// sources here, then started as a user starts it — it prints a webhook that works, serves the admin page, writes
// and reads a line, and stops cleanly on SIGTERM. Everything else in the suite runs the sources through tsx.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SEED_PARAMS } from '../helpers/seed.js';
import { type ServeProcess, startServeProcess } from '../helpers/server-process.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the bundle npm start runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openlines-bundle-'));
  let server: ServeProcess;

  before(async () => {
    execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: ROOT, stdio: 'pipe' });
    server = await startServeProcess({
      entry: 'bundle',
      dataDir: dir,
      databaseUrl: `sqlite:${join(dir, 'openlines.db')}`,
    });
  });
  after(async () => {
    await server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a webhook that adds and reads a line', async () => {
    assert.ok(server.firstHook, server.output());
    const add = await fetch(`${server.firstHook}imopenlines.config.add.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ PARAMS: SEED_PARAMS }),
    });
    assert.equal(add.status, 200);
    const { result: id } = (await add.json()) as { result: number };
    assert.ok(id > 0);
    const get = await fetch(`${server.firstHook}imopenlines.config.get?CONFIG_ID=${id}`);
    const line = (await get.json()) as { result: Record<string, unknown> };
    assert.equal(line.result.LINE_NAME, SEED_PARAMS.LINE_NAME);
    assert.equal(line.result.QUEUE_TYPE, 'strictly');
  });

  it('serves the admin page', async () => {
    const page = await fetch(`${server.url}/admin/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
  });

  it('stops cleanly on SIGTERM', async () => {
    const { code } = await server.kill('SIGTERM');
    assert.equal(code, 0, server.output());
  });
});
