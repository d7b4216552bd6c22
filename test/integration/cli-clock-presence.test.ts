// The command line of issue 17, run as real processes: `serve --clock manual` and `openlines clock get | advance |
// set` against that running server (through an administrator's webhook), and `openlines user presence`.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type ServeProcess, startServeProcess } from '../helpers/server-process.js';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('openlines clock and openlines user presence', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-cli-clock-'));
  const databaseUrl = `sqlite:${join(dataDir, 'openlines.db')}`;
  let server: ServeProcess;
  let hook: string;

  const cli = async (args: string[], env: Record<string, string> = {}): Promise<CliResult> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [...CLI, ...args], {
        env: { ...process.env, OPENLINES_DATA: dataDir, DATABASE_URL: databaseUrl, OPENLINES_WEBHOOK: '', ...env },
        timeout: 120_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const timeOf = (out: string) => Date.parse(out.split('\t')[0]!);

  before(async () => {
    server = await startServeProcess({ databaseUrl, dataDir, args: ['--clock', 'manual'] });
    hook = server.firstHook ?? assert.fail(server.output());
  });
  after(async () => {
    await server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serve --clock manual says so in its banner', () => {
    assert.match(server.output(), /\nTest clock: manual, at \d{4}-\d{2}-\d{2}T[\d:.]+Z; it moves only with/);
  });

  it("openlines clock get / advance / set: the running server's clock, moved", async () => {
    const got = await cli(['clock', 'get', '--webhook', hook]);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00\tmanual\n$/);
    const start = timeOf(got.stdout);

    const advanced = await cli(['clock', '--webhook', hook, 'advance', '3600']);
    assert.equal(advanced.code, 0, advanced.stderr);
    assert.equal(timeOf(advanced.stdout), start + 3_600_000);

    const target = new Date(start + 2 * 86_400_000).toISOString().replace('.000Z', '+00:00');
    const set = await cli(['clock', 'set', target], { OPENLINES_WEBHOOK: hook });
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, `${target}\tmanual\n`);
  });

  it('openlines clock: without a webhook, or refused by the server, exit code 2 and why', async () => {
    const none = await cli(['clock', 'get']);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /^openlines: openlines clock talks to a running server: give an administrator's webhook URL/,
    );
    const bad = await cli(['clock', 'advance', 'soon', '--webhook', hook]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "openlines: ERROR_ARGUMENT: Argument 'SECONDS' must be a positive number of seconds\n");
    const malformed = await cli(['clock', 'get', '--webhook', 'http://127.0.0.1:1/']);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /--webhook must be an incoming webhook URL/);
  });

  it('openlines user presence: sets and shows the presence and the availability that results', async () => {
    const user = (await cli(['user', 'add', '--name', 'Olga'])).stdout.trim();
    const shown = await cli(['user', 'presence', '--user', user]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(
      shown.stdout,
      'ACTIVE\tY\nABSENT\tN\nPAUSED\tN\nSTATUS\tauto\nONLINE\tN\nLAST_ACTIVITY\t-\nAVAILABLE\tN\nREASON\tOFFLINE\n',
    );
    const online = await cli(['user', 'presence', '--user', user, 'online']);
    assert.equal(online.code, 0, online.stderr);
    assert.match(online.stdout, /\nSTATUS\tonline\nONLINE\tY\n.*\nAVAILABLE\tY\nREASON\t-\n$/s);
    const absent = await cli(['user', 'presence', '--user', user, '--absent', 'y']);
    assert.match(absent.stdout, /^ACTIVE\tY\nABSENT\tY\n.*\nAVAILABLE\tN\nREASON\tVACATION\n$/s);
    // The running server reads the same store.
    const read = await fetch(`${hook}openlines.user.presence.get`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ USER_ID: Number(user) }),
    });
    const body = (await read.json()) as { result: Record<string, unknown> };
    assert.deepEqual([body.result.STATUS, body.result.ABSENT, body.result.REASON], ['online', 'Y', 'VACATION']);

    for (const [args, message] of [
      [
        ['user', 'presence', '--user', user, 'away'],
        "openlines: status must be one of online, offline, auto, got 'away'\n",
      ],
      [['user', 'presence', '--user', user, '--absent', 'maybe'], "openlines: --absent must be Y or N, got 'maybe'\n"],
      [['user', 'presence', '--user', '999', 'online'], 'openlines: user 999 does not exist\n'],
    ] as const) {
      const refused = await cli([...args]);
      assert.equal(refused.code, 2, args.join(' '));
      assert.equal(refused.stderr, message);
    }
  });
});
