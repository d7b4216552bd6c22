// Event deliveries for administrators, on every store: `openlines events [--failed] [--json]` and `openlines events
// retry ID` run as real processes against a running server's store, the same through openlines.admin.events.*,
// and `openlines apply` queuing OnOpenlinesLineConfigChange as the REST path does, delivered by the server to a
// real handler on loopback.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BACKOFF_MAX_MS } from '../../src/jobs/backoff.js';
import { listOutbox } from '../../src/store/events-repository.js';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { addUser } from '../helpers/lines.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { ManualClock } from '../helpers/test-clock.js';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function assertResult(answer: CallResult, result: unknown): void {
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.body.result, result);
}

for (const store of STORES) {
  describe(`event deliveries for administrators [${store}]`, () => {
    let t: TestServer;
    let dir: string;
    // Started at the wall clock's time: the command line stamps what it queues with the wall clock.
    const clock = new ManualClock(Date.now());
    const receiver = new EventReceiver();
    let app: { clientId: string; applicationToken: string };
    let token: string;
    let line: number;
    let failedId: number;

    const cli = async (args: string[]): Promise<CliResult> => {
      try {
        const { stdout, stderr } = await run(process.execPath, [...CLI, ...args], {
          env: { ...process.env, OPENLINES_DATA: dir, DATABASE_URL: t.server.settings.databaseUrl },
          timeout: 180_000,
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };
    const row = async (id: number) =>
      (await t.server.store.read((db) => listOutbox(db))).find((r) => r.id === id) ?? assert.fail(`no row ${id}`);

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'openlines-deliveries-'));
      await receiver.start();
      t = await startTestServer({ store, clock, settings: { eventPollMs: 600_000, eventAttempts: 2 } });
      app = await t.server.oauth.createApp({ name: 'Watcher', scopes: ['imopenlines'] });
      token = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
      const bound = await t.request('/rest/event.bind', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ event: 'OnOpenlinesLineConfigChange', handler: receiver.url('/d'), auth: token }),
      });
      assertResult(bound, true);
      // Two failed attempts: the delivery of the line's creation is kept as failed.
      receiver.failFirst = 2;
      const added = await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'Watched' } });
      assert.equal(added.status, 200, added.text);
      line = added.body.result as number;
      await t.server.scheduler.runDue();
      await clock.advance(BACKOFF_MAX_MS);
      const [failed] = await t.server.store.read((db) => listOutbox(db, { failedOnly: true }));
      failedId = failed!.id;
    });
    after(async () => {
      await t.close();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('openlines events --failed: a table, and --json the same deliveries', async () => {
      const [table, json, all] = await Promise.all([
        cli(['events', '--failed']),
        cli(['events', '--failed', '--json']),
        cli(['events', '--limit', '5']),
      ]);
      assert.equal(table.code, 0, table.stderr);
      assert.equal(
        table.stdout,
        'ID\tEVENT\tAPP\tHANDLER\tATTEMPT\tSTATE\tNEXT ATTEMPT / LAST ERROR\n' +
          `${failedId}\tONOPENLINESLINECONFIGCHANGE\t${app.clientId}\t${receiver.url('/d')}\t2\tfailed\tHTTP 500\n`,
      );
      assert.equal(json.code, 0, json.stderr);
      const parsed = JSON.parse(json.stdout);
      assert.equal(parsed.total, 1);
      assert.deepEqual(
        { ...parsed.deliveries[0], createdAt: undefined, failedAt: undefined, handlerId: undefined },
        {
          id: failedId,
          event: 'ONOPENLINESLINECONFIGCHANGE',
          app: app.clientId,
          appName: 'Watcher',
          handler: receiver.url('/d'),
          handlerId: undefined,
          attempt: 2,
          state: 'failed',
          createdAt: undefined,
          nextAttemptAt: null,
          deliveredAt: null,
          failedAt: undefined,
          lastError: 'HTTP 500',
        },
      );
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, new RegExp(`\\n${failedId}\\tONOPENLINESLINECONFIGCHANGE\\t.*\\tfailed\\tHTTP 500\\n`));
    });

    it('openlines.admin.events.failed: the same for administrators over REST', async () => {
      const answer = await t.call('openlines.admin.events.failed', {});
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.total, 1);
      assert.deepEqual(
        answer.body.result.map((d: { id: number; state: string; lastError: string }) => [d.id, d.state, d.lastError]),
        [[failedId, 'failed', 'HTTP 500']],
      );
      const operator = await addUser(t, { name: 'Not an admin' });
      const refused = await t.call('openlines.admin.events.failed', {}, { hook: await t.webhookFor(operator) });
      assert.equal(refused.status, 403, refused.text);
      assert.deepEqual(refused.body, {
        error: 'ACCESS_DENIED',
        error_description: 'Only portal administrators may use the admin page',
      });
      const bad = await t.call('openlines.admin.events.failed', { LIMIT: 'many' });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.body.error, 'INVALID_FORMAT');
    });

    it('openlines events retry ID: due now, attempts reset, delivered by the server; unknown or delivered ids refused', async () => {
      const unknown = await cli(['events', 'retry', '999999']);
      assert.equal(unknown.code, 2);
      assert.equal(unknown.stderr, 'openlines: delivery 999999 does not exist\n');

      const retried = await cli(['events', 'retry', String(failedId)]);
      assert.equal(retried.code, 0, retried.stderr);
      assert.equal(
        retried.stdout,
        `Delivery ${failedId} (ONOPENLINESLINECONFIGCHANGE to ${receiver.url('/d')}) is due now.\n`,
      );
      const pending = await row(failedId);
      assert.equal(pending.attempt, 0);
      assert.equal(pending.failed_at_ms, null);
      assert.ok(pending.next_attempt_at_ms <= clock.now());
      await t.server.scheduler.runDue();
      assert.equal(receiver.received.length, 1);
      assert.equal(receiver.received[0]!.headers['x-openlines-delivery'], String(failedId));
      assert.equal(receiver.received[0]!.headers['x-openlines-attempt'], '1');
      assert.notEqual((await row(failedId)).delivered_at_ms, null);

      const again = await cli(['events', 'retry', String(failedId)]);
      assert.equal(again.code, 2);
      assert.equal(again.stderr, `openlines: delivery ${failedId} was delivered already\n`);
    });

    it('openlines.admin.events.retry: a pending delivery due now; bad ids named', async () => {
      receiver.reset();
      receiver.failFirst = 1;
      assertResult(await t.call('imopenlines.config.update', { CONFIG_ID: line, PARAMS: { QUEUE_TIME: 90 } }), true);
      await t.server.scheduler.runDue();
      const [retrying] = (await t.server.store.read((db) => listOutbox(db))).slice(-1);
      assert.equal(retrying!.attempt, 1);
      assert.ok(retrying!.next_attempt_at_ms > clock.now());
      const answer = await t.call('openlines.admin.events.retry', { ID: retrying!.id });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.result.id, retrying!.id);
      assert.equal(answer.body.result.state, 'pending');
      assert.equal(answer.body.result.attempt, 0);
      assert.equal(answer.body.result.lastError, 'HTTP 500');
      // The retry wakes the server's deliverer.
      await receiver.until(1);
      assert.equal(receiver.received[0]!.headers['x-openlines-delivery'], String(retrying!.id));

      for (const [params, description] of [
        [{}, "Argument 'ID' is null or empty"],
        [{ ID: 'x' }, "Argument 'ID' must be a delivery id"],
        [{ ID: 999_999 }, 'Delivery 999999 does not exist'],
        [{ ID: failedId }, `Delivery ${failedId} was delivered already`],
      ] as const) {
        const refused = await t.call('openlines.admin.events.retry', params);
        assert.equal(refused.status, 400, refused.text);
        assert.deepEqual(refused.body, { error: 'ERROR_ARGUMENT', error_description: description, argument: 'ID' });
      }
    });

    it('openlines apply queues OnOpenlinesLineConfigChange like the REST path; the server delivers it', async () => {
      receiver.reset();
      const path = join(dir, 'lines.yaml');
      writeFileSync(path, `version: 1\nlines:\n  - ID: ${line}\n    LINE_NAME: Watched\n    QUEUE_TIME: 300\n`);
      const applied = await cli(['apply', '-f', path]);
      assert.equal(applied.code, 0, applied.stderr);
      // The command line stamped the event with the wall clock, a little ahead of the server's manual one.
      await clock.advance(60_000);
      await t.server.scheduler.runDue();
      assert.equal(receiver.received.length, 1);
      const body = parsePhpQuery(receiver.received[0]!.body);
      assert.equal(body.event, 'ONOPENLINESLINECONFIGCHANGE');
      const data = body.data as Record<string, unknown>;
      assert.equal(data.LINE, String(line));
      assert.equal(data.ACTION, 'update');
      assert.deepEqual(data.CHANGES, [{ field: 'QUEUE_TIME', before: '90', after: '300' }]);
      // Made as the command line's user (--user, default 1): the auth block carries that user.
      assert.equal((body.auth as Record<string, string>).user_id, '1');
    });
  });
}
