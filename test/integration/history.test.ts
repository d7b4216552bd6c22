// The history of every change (issue 9): each add, update and delete, through REST, batch and an OAuth app,
// records who (user, auth kind, credential), when (the server's clock) and the field-level diff, in the same
// transaction as the change; openlines.admin.history.get serves it to administrators only.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { clockReading } from '../helpers/test-clock.js';

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

describe('line history', () => {
  for (const store of STORES) {
    describe(`(${store})`, () => {
      let t: TestServer;
      let clock = T0;

      before(async () => {
        t = await startTestServer({ store, clock: clockReading(() => clock) });
      });
      after(() => t.close());

      const history = async (line?: number, query: { LIMIT?: number; start?: number } = {}) =>
        (await t.call('openlines.admin.history.get', { ...(line ? { LINE_ID: line } : {}), ...query })).body;

      it('history: config.add records every field and the queue, by the webhook that called', async () => {
        clock = T0;
        const id = (await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'History A', QUEUE_TIME: 45 } })).body
          .result as number;
        const answer = await history(id);
        assert.equal(answer.total, 1);
        const [revision] = answer.result;
        assert.equal(revision.lineId, id);
        assert.equal(revision.action, 'add');
        assert.equal(revision.userId, 1);
        assert.equal(revision.authKind, 'webhook');
        assert.match(revision.credentialId, /^webhook:\d+$/);
        assert.equal(revision.date, '2026-11-23T10:00:00+00:00');
        const byField = new Map(revision.changes.map((c: { field: string }) => [c.field, c]));
        assert.deepEqual(byField.get('LINE_NAME'), { field: 'LINE_NAME', after: 'History A' });
        assert.deepEqual(byField.get('QUEUE_TIME'), { field: 'QUEUE_TIME', after: 45 });
        assert.deepEqual(byField.get('QUEUE_TYPE'), { field: 'QUEUE_TYPE', after: 'all' });
        assert.deepEqual(byField.get('QUEUE'), { field: 'QUEUE', after: [{ user: 1 }] });
        assert.ok(!byField.has('ID') && !byField.has('DATE_CREATE') && !byField.has('MODIFY_USER_ID'));
      });

      it('history: config.update records exactly the changed fields with before and after', async () => {
        clock = T0;
        const id = (await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'History B' } })).body.result;
        const dept = await t.server.directory.addDepartment('Support', null);
        await t.server.directory.addUser({ name: 'Olga', departmentIds: [dept] });
        clock = T0 + 60_000;
        const updated = await t.call('imopenlines.config.update', {
          CONFIG_ID: id,
          PARAMS: {
            QUEUE_TIME: 90,
            WORKTIME_FROM: '8:30',
            WORKTIME_TO: '18:30',
            QUEUE: [
              { ENTITY_TYPE: 'user', ENTITY_ID: 1 },
              { ENTITY_TYPE: 'department', ENTITY_ID: dept },
            ],
          },
        });
        assert.equal(updated.body.result, true);
        const [revision] = (await history(id)).result;
        assert.equal(revision.action, 'update');
        assert.equal(revision.date, '2026-11-23T10:01:00+00:00');
        assert.deepEqual(revision.changes, [
          { field: 'QUEUE_TIME', before: 60, after: 90 },
          { field: 'WORKTIME_FROM', before: '9', after: '8.30' },
          { field: 'QUEUE', before: [{ user: 1 }], after: [{ user: 1 }, { department: dept }] },
        ]);
      });

      it('history: an update that changes nothing, and a refused one, leave no revision', async () => {
        const id = (await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'History C' } })).body.result;
        const same = await t.call('imopenlines.config.update', { CONFIG_ID: id, PARAMS: { QUEUE_TIME: 60 } });
        assert.equal(same.body.result, true);
        const refused = await t.call(
          'imopenlines.config.update',
          { CONFIG_ID: id, PARAMS: { QUEUE_TIME: 30, QUEUE_TYPE: 'random' } },
          { headers: { 'X-Openlines-Strict': '1' } },
        );
        assert.equal(refused.status, 400);
        assert.equal(refused.body.argument, 'QUEUE_TYPE');
        const answer = await history(id);
        assert.deepEqual(
          answer.result.map((r: { action: string }) => r.action),
          ['add'],
        );
        assert.equal((await t.call('imopenlines.config.get', { CONFIG_ID: id })).body.result.QUEUE_TIME, '60');
      });

      it('history: config.delete records the fields the line had; the revisions outlive the line', async () => {
        const id = (await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'History D', MAX_CHAT: 3 } })).body
          .result;
        assert.equal((await t.call('imopenlines.config.delete', { CONFIG_ID: id })).body.result, true);
        const answer = await history(id);
        assert.deepEqual(
          answer.result.map((r: { action: string }) => r.action),
          ['delete', 'add'],
        );
        const changes = new Map(answer.result[0].changes.map((c: { field: string }) => [c.field, c]));
        assert.deepEqual(changes.get('MAX_CHAT'), { field: 'MAX_CHAT', before: 3 });
        assert.deepEqual(changes.get('LINE_NAME'), { field: 'LINE_NAME', before: 'History D' });
      });

      it('history: batch commands and OAuth applications are recorded with their credential', async () => {
        const batch = await t.call('batch', {
          halt: 1,
          cmd: {
            a: 'imopenlines.config.add?PARAMS[LINE_NAME]=History%20E',
            u: 'imopenlines.config.update?CONFIG_ID=$result[a]&PARAMS[MAX_CHAT]=7',
          },
        });
        assert.equal(batch.status, 200);
        const id = batch.body.result.result.a as number;
        const app = await t.server.oauth.createApp({ name: 'History app', scopes: ['imopenlines'] });
        const token = await t.server.oauth.issueToken(app.clientId, 1);
        const viaApp = await t.request('/rest/imopenlines.config.update.json', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.accessToken}` },
          body: JSON.stringify({ CONFIG_ID: id, PARAMS: { MAX_CHAT: 8 } }),
        });
        assert.equal(viaApp.body.result, true);
        const revisions = (await history(id)).result;
        assert.deepEqual(
          revisions.map((r: { action: string; authKind: string; changes: unknown[] }) => [r.action, r.authKind]),
          [
            ['update', 'app'],
            ['update', 'webhook'],
            ['add', 'webhook'],
          ],
        );
        assert.equal(revisions[0].credentialId, `app:${app.clientId}`);
        assert.deepEqual(revisions[0].changes, [{ field: 'MAX_CHAT', before: 7, after: 8 }]);
        assert.deepEqual(revisions[1].changes, [{ field: 'MAX_CHAT', before: 0, after: 7 }]);
      });

      it('history: every line newest first, with limit, offset and total', async () => {
        const all = await history(undefined, { LIMIT: 2 });
        assert.equal(all.result.length, 2);
        assert.ok(all.total >= 8);
        assert.ok(all.result[0].id > all.result[1].id);
        const next = await history(undefined, { LIMIT: 2, start: 2 });
        assert.ok(next.result[0].id < all.result[1].id);
      });

      it('openlines.admin.history.get: administrators only, with the same credentials as the page', async () => {
        const none = await t.request('/rest/openlines.admin.history.get');
        assert.equal(none.status, 401);
        assert.equal(none.body.error, 'NO_AUTH_FOUND');
        const wrong = await t.request('/rest/1/nope/openlines.admin.history.get');
        assert.equal(wrong.status, 401);
        const userId = await t.server.directory.addUser({ name: 'Not an admin' });
        const hook = await t.webhookFor(userId, ['imopenlines']);
        const denied = await t.call('openlines.admin.history.get', {}, { hook });
        assert.equal(denied.status, 403);
        assert.equal(denied.body.error, 'ACCESS_DENIED');
        const badLine = await t.call('openlines.admin.history.get', { LINE_ID: 'abc' });
        assert.equal(badLine.status, 400);
        assert.equal(badLine.body.error, 'CONFIG_ID_EMPTY');
        const session = await t.call('openlines.admin.session.get');
        assert.deepEqual(session.body.result, {
          USER_ID: 1,
          AUTH_KIND: 'webhook',
          IS_ADMIN: true,
          STRICT: false,
          PORTAL: 'openlines',
        });
      });
    });
  }
});

describe('admin page files and catalogue', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('/admin/: the page and its files, with a content security policy; nothing else from the folder', async () => {
    const redirect = await fetch(`${t.url}/admin`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/admin/');
    const page = await t.request('/admin/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(page.text, /<script type="module" src="admin.js"><\/script>/);
    for (const [file, type] of [
      ['admin.js', 'text/javascript; charset=utf-8'],
      ['admin.css', 'text/css; charset=utf-8'],
      ['form.js', 'text/javascript; charset=utf-8'],
    ]) {
      const answer = await t.request(`/admin/${file}`);
      assert.equal(answer.status, 200, file);
      assert.equal(answer.headers.get('content-type'), type, file);
    }
    for (const path of ['/admin/missing.js', '/admin/..%2Fserver.ts', '/admin/%2e%2e', '/admin/.hidden']) {
      assert.equal((await t.request(path)).status, 404, path);
    }
  });

  it('openlines.admin.catalogue.get: every catalogue field with its form data and no functions', async () => {
    const { LINE_FIELDS } = await import('../../src/domain/lines/catalogue.js');
    const answer = await t.call('openlines.admin.catalogue.get');
    assert.equal(answer.status, 200);
    const { fields, groups } = answer.body.result;
    assert.deepEqual(
      fields.map((f: { name: string }) => f.name),
      LINE_FIELDS.map((f) => f.name),
    );
    const byName = new Map(fields.map((f: { name: string }) => [f.name, f]));
    assert.deepEqual(byName.get('QUEUE_TYPE'), {
      name: 'QUEUE_TYPE',
      kind: 'enum',
      group: 'queue',
      label: 'Distribution',
      help: 'How conversations are distributed among operators.',
      describe: '`evenly` / `strictly` / `all`',
      widget: 'select',
      readOnly: false,
      default: 'all',
      values: ['evenly', 'strictly', 'all'],
      valueLabels: { evenly: 'Evenly (round robin)', strictly: 'Strictly in queue order', all: 'To all operators' },
    });
    assert.deepEqual((byName.get('WORKTIME_FROM') as { sendWith: string[] }).sendWith, ['WORKTIME_TO']);
    assert.deepEqual((byName.get('WELCOME_BOT_ID') as { sendWith: string[] }).sendWith, ['WELCOME_BOT_ENABLE']);
    assert.equal((byName.get('DATE_CREATE') as { widget: string }).widget, 'readonly');
    assert.equal((byName.get('WELCOME_MESSAGE_TEXT') as { widget: string }).widget, 'textarea');
    assert.match((byName.get('WELCOME_MESSAGE_TEXT') as { default: string }).default, /\[b\]openlines\[\/b\]/);
    assert.ok(groups.every((g: { id: string; label: string }) => g.id && g.label));
  });
});
