// `batch` end to end over real HTTP (openlines-api.md §1.6, reference-behaviour.md §6.9, clients.md §1 items 13-15):
// every body shape the real clients send, references between commands, halt, the 50-command limit, nested batch,
// and the PHP json_encode shape of the answer.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { countLines, findLine } from '../../src/store/lines-repository.js';
import { b24jssdkQuery, b24pysdkQuery, fastBitrix24Query, phpHttpBuildQuery } from '../helpers/query-encoders.js';
import { SEED, TIME_KEYS } from '../helpers/seed.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';

const COMMAND_TIME_KEYS = TIME_KEYS.filter((k) => k !== 'operating' && k !== 'operating_reset_at');
const NOT_FOUND = { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' };
const NOT_ALLOWED = {
  error: 'ERROR_BATCH_METHOD_NOT_ALLOWED',
  error_description: 'Method is not allowed for batch usage',
};
const TOO_LONG = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' };

const form = (body: string) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body,
});

/** The answer of a batch: HTTP 200, the five maps, a full outer time block, a command time block per entry. */
function batchResult(answer: CallResult) {
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(Object.keys(answer.body), ['result', 'time']);
  assert.deepEqual(Object.keys(answer.body.result), [
    'result',
    'result_error',
    'result_total',
    'result_next',
    'result_time',
  ]);
  assert.deepEqual(Object.keys(answer.body.time), [...TIME_KEYS]);
  for (const time of Object.values(answer.body.result.result_time) as object[]) {
    assert.notEqual(time, null, 'never a null hole in result_time');
    assert.deepEqual(Object.keys(time), COMMAND_TIME_KEYS);
  }
  return answer.body.result;
}

for (const store of STORES) {
  describe(`batch [${store}]`, () => {
    let t: TestServer;
    let doc: (id: number) => Promise<Record<string, unknown>>;
    let seedDoc: Record<string, unknown>;
    const lines = () => countLines(t.server.store.db);

    before(async () => {
      t = await startTestServer({ store });
      doc = async (id) => (await findLine(t.server.store.db, id))!.values;
      // The line a direct JSON call makes from the seed: every client's batch form must store the same one.
      seedDoc = await doc((await t.call('imopenlines.config.add', SEED)).body.result);
    });
    after(() => t.close());

    it('runs the seed add and a command reading $result[add] in one batch', async () => {
      const answer = await t.call('batch', {
        halt: 1,
        cmd: {
          add: `imopenlines.config.add?${b24jssdkQuery(SEED)}`,
          copy: 'imopenlines.config.add?PARAMS[LINE_NAME]=Copy+of+$result[add]&PARAMS[MAX_CHAT]=$result[add]',
        },
      });
      const result = batchResult(answer);
      const id = result.result.add;
      assert.equal(typeof id, 'number');
      assert.deepEqual(result.result, { add: id, copy: id + 1 });
      assert.deepEqual(result.result_error, []);
      assert.deepEqual(result.result_total, []);
      assert.deepEqual(result.result_next, []);
      assert.deepEqual(Object.keys(result.result_time), ['add', 'copy']);
      assert.deepEqual(await doc(id), seedDoc);
      const copy = await doc(id + 1);
      assert.equal(copy.LINE_NAME, `Copy of ${id}`);
      assert.equal(copy.MAX_CHAT, id);
    });

    it('runs the seed add followed by imopenlines.config.get?CONFIG_ID=$result[add]', async () => {
      const answer = await t.call('batch', {
        halt: 1,
        cmd: {
          add: `imopenlines.config.add?${b24jssdkQuery(SEED)}`,
          get: 'imopenlines.config.get?CONFIG_ID=$result[add]',
        },
      });
      const result = batchResult(answer);
      assert.deepEqual(result.result_error, []);
      assert.equal(result.result.get.ID, String(result.result.add));
      assert.equal(result.result.get.LINE_NAME, 'Online Store Support Line');
    });

    it('halt=1 stops at a failing middle command: earlier writes stay, later commands never run', async () => {
      const before = await lines();
      const cmd = [
        'imopenlines.config.add?PARAMS[LINE_NAME]=Halt+A',
        'imopenlines.config.nothing?PARAMS[LINE_NAME]=Halt+B',
        'imopenlines.config.add?PARAMS[LINE_NAME]=Halt+C',
      ];
      const result = batchResult(await t.call('batch', { halt: 1, cmd }));
      assert.equal(result.result.length, 1, 'keys 0 only: a JSON list');
      assert.deepEqual(result.result_error, { 1: NOT_FOUND }, 'key 1 only: a JSON object');
      assert.deepEqual(Object.keys(result.result_time), ['0'], 'a time entry only for the command that succeeded');
      assert.ok(Array.isArray(result.result_time), 'key 0 only: a JSON list');
      assert.equal(await lines(), before + 1);
      assert.equal((await doc(result.result[0])).LINE_NAME, 'Halt A');
    });

    it('halt=0 runs every command; the answer keeps the keys of those that succeeded', async () => {
      const before = await lines();
      const cmd = [
        'imopenlines.config.add?PARAMS[LINE_NAME]=Go+A',
        'imopenlines.config.nothing?',
        'imopenlines.config.add?PARAMS[LINE_NAME]=Go+C',
      ];
      const answer = await t.call('batch', { halt: 0, cmd });
      const result = batchResult(answer);
      assert.deepEqual(Object.keys(result.result), ['0', '2'], 'keys 0 and 2: a JSON object');
      assert.match(answer.text, /"result":\{"0":\d+,"2":\d+\}/);
      assert.deepEqual(result.result_error, { 1: NOT_FOUND });
      assert.deepEqual(Object.keys(result.result_time), ['0', '2'], 'no time entry for the failed command');
      assert.match(answer.text, /"result_time":\{"0":\{[^}]*\},"2":\{[^}]*\}\}/);
      assert.equal(await lines(), before + 2);
    });

    it('halt=0 with a failed first command: result_time is {"1": …}, the failure is in result_error only', async () => {
      const direct = await t.call('imopenlines.config.path.get', {});
      assert.equal(direct.status, 200, direct.text);
      const answer = await t.call('batch', { halt: 0, cmd: ['imopenlines.config.get', 'imopenlines.config.path.get'] });
      const result = batchResult(answer);
      assert.deepEqual(result.result, { 1: direct.body.result });
      assert.deepEqual(result.result_error, [
        { error: 'CONFIG_ID_EMPTY', error_description: "Config ID can't be empty" },
      ]);
      assert.deepEqual(result.result_total, []);
      assert.deepEqual(result.result_next, []);
      assert.deepEqual(Object.keys(result.result_time), ['1']);
      assert.match(
        answer.text,
        /"result_error":\[\{"error":"CONFIG_ID_EMPTY",[^\]]*\],"result_total":\[\],"result_next":\[\],"result_time":\{"1":\{"start":/,
      );
    });

    it('halt is cast as PHP casts it: "false" halts; 0, "0", "", false and a missing halt do not', async () => {
      const cmd = ['imopenlines.config.nothing?', 'imopenlines.config.add?PARAMS[LINE_NAME]=Cast'];
      for (const halt of ['false', 'true', '1', 1, true, 'no']) {
        const result = batchResult(await t.call('batch', { halt, cmd }));
        assert.deepEqual(result.result, [], `halt ${JSON.stringify(halt)} halts`);
      }
      for (const halt of [0, '0', '', false, null, undefined]) {
        const result = batchResult(await t.call('batch', { halt, cmd }));
        assert.deepEqual(Object.keys(result.result), ['1'], `halt ${JSON.stringify(halt)} does not halt`);
      }
      const viaForm = batchResult(
        await t.request(`${t.hook}batch`, form(`halt=false&cmd[]=${encodeURIComponent(cmd[0]!)}&cmd[]=x.y`)),
      );
      assert.deepEqual(viaForm.result_error, [NOT_FOUND]);
    });

    it('runs 50 commands; from the 51st on each gets ERROR_BATCH_LENGTH_EXCEEDED and nothing is written', async () => {
      const make = (n: number) => Array.from({ length: n }, (_, i) => `imopenlines.config.add?PARAMS[LINE_NAME]=L${i}`);
      let before = await lines();
      const fifty = batchResult(await t.call('batch', { halt: 0, cmd: make(50) }));
      assert.equal(fifty.result.length, 50);
      assert.deepEqual(fifty.result_error, []);
      assert.equal(fifty.result_time.length, 50);
      assert.equal(await lines(), before + 50);

      before = await lines();
      const fiftyTwo = batchResult(await t.call('batch', { halt: 0, cmd: make(52) }));
      assert.equal(fiftyTwo.result.length, 50);
      assert.deepEqual(fiftyTwo.result_error, { 50: TOO_LONG, 51: TOO_LONG });
      assert.equal(fiftyTwo.result_time.length, 50);
      assert.equal(await lines(), before + 50);

      const halted = batchResult(await t.call('batch', { halt: 1, cmd: make(52) }));
      assert.deepEqual(halted.result_error, { 50: TOO_LONG }, 'halt stops at the first refused command');
    });

    it('refuses a nested batch per command with ERROR_BATCH_METHOD_NOT_ALLOWED; the outer answer stays 200', async () => {
      const result = batchResult(
        await t.call('batch', {
          halt: 0,
          cmd: { inner: 'batch?cmd[0]=imopenlines.config.add%3F', upper: 'BATCH?', after: 'imopenlines.config.add?' },
        }),
      );
      assert.deepEqual(result.result_error, { inner: NOT_ALLOWED, upper: NOT_ALLOWED });
      assert.deepEqual(Object.keys(result.result), ['after']);
    });

    it('answers an unknown method inside batch with ERROR_METHOD_NOT_FOUND, whatever the name', async () => {
      const result = batchResult(
        await t.call('batch', { cmd: { a: 'no.such.method?x=1', b: '', c: '?PARAMS[LINE_NAME]=x', d: 'a b/c?' } }),
      );
      assert.deepEqual(result.result_error, { a: NOT_FOUND, b: NOT_FOUND, c: NOT_FOUND, d: NOT_FOUND });
    });

    it('re-checks the scope of each command against the outer webhook', async () => {
      const hook = await t.webhookFor(1, ['user']);
      const before = await lines();
      const answer = await t.call('batch', { cmd: ['imopenlines.config.add?', 'no.such.method?'] }, { hook });
      const result = batchResult(answer);
      assert.deepEqual(result.result_error, [
        {
          error: 'insufficient_scope',
          error_description: 'The request requires higher privileges than provided by the webhook token',
        },
        NOT_FOUND,
      ]);
      assert.equal(await lines(), before);
    });

    it('authenticates the outer request once: bad credentials run nothing', async () => {
      const before = await lines();
      const answer = await t.request('/rest/1/wrongcode/batch', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ cmd: ['imopenlines.config.add?'] }),
      });
      assert.deepEqual(
        [answer.status, answer.body],
        [401, { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' }],
      );
      assert.equal(await lines(), before);
    });

    it('auth parameters inside a command cannot switch to another identity', async () => {
      const result = batchResult(
        await t.call('batch', { cmd: { a: 'imopenlines.config.add?auth=foreign-token&aplogin=2&ap=x' } }),
      );
      assert.equal(typeof result.result.a, 'number');
    });

    it('answers an empty cmd with five empty lists', async () => {
      const answer = await t.call('batch', { cmd: [] });
      batchResult(answer);
      assert.match(
        answer.text,
        /^\{"result":\{"result":\[\],"result_error":\[\],"result_total":\[\],"result_next":\[\],"result_time":\[\]\},"time":\{/,
      );
    });

    it('a missing cmd: compat runs nothing and says so in the warnings; strict names cmd', async () => {
      const compat = await t.call('batch', { halt: 1 });
      assert.deepEqual(batchResult(compat).result, []);
      const warnings = JSON.parse(compat.headers.get('x-openlines-warnings') ?? '[]');
      assert.equal(warnings[0].field, 'cmd');
      const strict = await t.call(
        'batch',
        { cmd: 'imopenlines.config.add?' },
        { headers: { 'X-Openlines-Strict': '1' } },
      );
      assert.equal(strict.status, 400);
      assert.equal(strict.body.error, 'ERROR_ARGUMENT');
      assert.equal(strict.body.argument, 'cmd');
    });

    it('skips a command that is not a string', async () => {
      const result = batchResult(await t.call('batch', { cmd: { a: 5, b: { x: 1 }, c: 'imopenlines.config.add?' } }));
      assert.deepEqual(Object.keys(result.result), ['c']);
      assert.deepEqual(result.result_error, []);
    });

    it('reports the substitutions of each command in the warnings header, named by command key', async () => {
      const answer = await t.call('batch', { cmd: { w: 'imopenlines.config.add?PARAMS[QUEUE_TYPE]=sometimes' } });
      batchResult(answer);
      const warnings = JSON.parse(answer.headers.get('x-openlines-warnings') ?? '[]');
      assert.ok(
        warnings.some((w: { field: string }) => w.field === 'cmd[w].QUEUE_TYPE'),
        JSON.stringify(warnings),
      );
    });

    it('reads a command query however it is encoded: %5B or raw brackets, + or %20, trailing &, empty', async () => {
      const forms = [
        'imopenlines.config.add?PARAMS%5BLINE_NAME%5D=Two%20Words',
        'imopenlines.config.add?PARAMS[LINE_NAME]=Two+Words',
        'imopenlines.config.add?PARAMS[LINE_NAME]=Two%20Words&',
        'imopenlines.config.add?&&PARAMS%5BLINE_NAME%5D=Two+Words&',
      ];
      const result = batchResult(await t.call('batch', { halt: 1, cmd: forms }));
      assert.equal(result.result.length, 4);
      for (const id of result.result) assert.equal((await doc(id)).LINE_NAME, 'Two Words');
      const empty = batchResult(await t.call('batch', { cmd: ['imopenlines.config.add?', 'imopenlines.config.add'] }));
      assert.equal(empty.result.length, 2);
    });

    it('accepts CMD and HALT in upper case, and cmd[key] form fields', async () => {
      const upper = batchResult(await t.call('batch', { HALT: 1, CMD: { one: 'imopenlines.config.add?' } }));
      assert.deepEqual(Object.keys(upper.result), ['one']);
      const fields = batchResult(
        await t.request(
          `${t.hook}batch.json`,
          form('CMD[one]=imopenlines.config.add%3FPARAMS%255BLINE_NAME%255D%3DForm&CMD[two]=no.such%3F&Halt=0'),
        ),
      );
      assert.deepEqual(Object.keys(fields.result), ['one']);
      assert.deepEqual(fields.result_error, { two: NOT_FOUND });
      assert.equal((await doc(fields.result.one)).LINE_NAME, 'Form');
    });

    it('with cmd and CMD both sent, the later one is the batch (array_change_key_case)', async () => {
      const both = batchResult(
        await t.request(`${t.hook}batch`, form('CMD[one]=imopenlines.config.add%3F&cmd[two]=no.such%3F')),
      );
      assert.deepEqual(both.result, []);
      assert.deepEqual(both.result_error, { two: NOT_FOUND });
    });

    it('answers in XML with the .xml suffix', async () => {
      const answer = await t.request(`${t.hook}batch.xml`, form('cmd[a]=imopenlines.config.add%3F'));
      assert.equal(answer.status, 200);
      assert.match(answer.text, /^<response><result><result><a>\d+<\/a><\/result>/);
    });

    describe('each client’s batch body, byte for byte (clients.md)', () => {
      it('b24jssdk: JSON, cmd as an array, qs-encoded rows, halt 1 (clients.md §2.3)', async () => {
        const row = `imopenlines.config.add?${b24jssdkQuery(SEED)}`;
        assert.ok(
          row.startsWith(
            'imopenlines.config.add?PARAMS%5BLINE_NAME%5D=Online%20Store%20Support%20Line&PARAMS%5BQUEUE%5D%5B0%5D%5BENTITY_TYPE%5D=user&',
          ),
        );
        const body = `{"halt":1,"cmd":[${JSON.stringify(row)},"imopenlines.config.add?PARAMS%5BLINE_NAME%5D=%24result%5B0%5D"]}`;
        const answer = await t.request(`${t.hook}batch?bx24_request_id=x&bx24_sdk_ver=2.2.0&bx24_sdk_type=b24-js-sdk`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'User-Agent': 'b24-js-sdk/2.2.0' },
          body,
        });
        const result = batchResult(answer);
        assert.equal(result.result.length, 2);
        assert.deepEqual(await doc(result.result[0]), seedDoc);
        assert.equal((await doc(result.result[1])).LINE_NAME, String(result.result[0]));
      });

      it('b24jssdk: JSON, cmd as an object with an empty query, halt 0 (clients.md §2.3)', async () => {
        const body = JSON.stringify({
          halt: 0,
          cmd: { add: `imopenlines.config.add?${b24jssdkQuery(SEED)}`, list: 'imopenlines.config.add?' },
        });
        const result = batchResult(await t.request(`${t.hook}batch`, { method: 'POST', body, headers: json }));
        assert.deepEqual(Object.keys(result.result), ['add', 'list']);
        assert.deepEqual(await doc(result.result.add), seedDoc);
      });

      it('CRest: form fields cmd[key] with each command urlencoded twice, $result[add] inside (clients.md §4.3)', async () => {
        const body = phpHttpBuildQuery({
          cmd: {
            add: `imopenlines.config.add?${phpHttpBuildQuery(SEED)}`,
            copy: `imopenlines.config.add?${phpHttpBuildQuery({ PARAMS: { LINE_NAME: '$result[add]' } })}`,
          },
          halt: 1,
        });
        assert.ok(
          body.startsWith(
            'cmd%5Badd%5D=imopenlines.config.add%3FPARAMS%255BLINE_NAME%255D%3DOnline%2BStore%2BSupport%2BLine%26',
          ),
        );
        assert.ok(
          body.endsWith(
            '&cmd%5Bcopy%5D=imopenlines.config.add%3FPARAMS%255BLINE_NAME%255D%3D%2524result%255Badd%255D&halt=1',
          ),
        );
        const answer = await t.request(`${t.hook}batch.json`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'Bitrix24 CRest PHP 1.36' },
          body,
        });
        const result = batchResult(answer);
        assert.deepEqual(await doc(result.result.add), seedDoc);
        assert.equal((await doc(result.result.copy)).LINE_NAME, String(result.result.add));
      });

      it('CRest: the clients.md body with imopenlines.config.get?CONFIG_ID=$result[add]', async () => {
        const body = phpHttpBuildQuery({
          cmd: {
            add: `imopenlines.config.add?${phpHttpBuildQuery(SEED)}`,
            get: `imopenlines.config.get?${phpHttpBuildQuery({ CONFIG_ID: '$result[add]' })}`,
          },
          halt: 1,
        });
        assert.ok(body.endsWith('&cmd%5Bget%5D=imopenlines.config.get%3FCONFIG_ID%3D%2524result%255Badd%255D&halt=1'));
        const result = batchResult(await t.request(`${t.hook}batch.json`, form(body)));
        assert.equal(result.result.get.ID, String(result.result.add));
      });

      it('b24phpsdk: JSON, cmd keyed by UUIDv7, http_build_query rows, halt a JSON boolean (clients.md §3.3)', async () => {
        const keys = ['01936b4e-7f2a-7c3d-9a1b-2c3d4e5f6a7b', '01936b4e-7f2a-7c3d-9a1b-2c3d4e5f6a7c'];
        const body = JSON.stringify({
          halt: false,
          cmd: {
            [keys[0]!]: `imopenlines.config.add?${phpHttpBuildQuery(SEED)}`,
            [keys[1]!]: `imopenlines.config.add?${phpHttpBuildQuery({ PARAMS: { LINE_NAME: 'PHP SDK' } })}`,
          },
        });
        const answer = await t.request(`${t.url}/rest/1/${t.webhookCode}//batch/?bx24_request_id=x`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body,
        });
        const result = batchResult(answer);
        assert.deepEqual(Object.keys(result.result), keys);
        assert.deepEqual(Object.keys(result.result_time), keys, 'b24phpsdk reads a time entry for each result');
        assert.deepEqual(await doc(result.result[keys[0]!]), seedDoc);
      });

      it('b24pysdk: JSON, cmd object, raw brackets and quote_plus values, halt true (clients.md §5.3)', async () => {
        const add = `imopenlines.config.add?${b24pysdkQuery(SEED)}`;
        assert.ok(add.startsWith('imopenlines.config.add?PARAMS[LINE_NAME]=Online+Store+Support+Line&'));
        assert.ok(add.includes('&PARAMS[WORKTIME_TIMEZONE]=Europe%2FBerlin&'));
        const body = `{"cmd": {"add": ${JSON.stringify(add)}, "copy": "imopenlines.config.add?PARAMS[LINE_NAME]=$result[add]"}, "halt": true}`;
        const answer = await t.request(`${t.hook}batch.json`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body,
        });
        const result = batchResult(answer);
        assert.deepEqual(await doc(result.result.add), seedDoc);
        assert.equal((await doc(result.result.copy)).LINE_NAME, String(result.result.add));
      });

      it('b24pysdk: a list of calls arrives keyed "0", "1" and is answered as a JSON list', async () => {
        const body = '{"cmd": {"0": "imopenlines.config.add?", "1": "imopenlines.config.add?"}, "halt": false}';
        const answer = await t.request(`${t.hook}batch.json`, { method: 'POST', headers: json, body });
        assert.equal(batchResult(answer).result.length, 2);
      });

      it('fast_bitrix24: JSON, __order labels, raw brackets, %20, a trailing & (clients.md §6.3)', async () => {
        const row = `imopenlines.config.add?__order=order0000000000&${fastBitrix24Query(SEED)}`;
        assert.ok(row.includes('&PARAMS[LINE_NAME]=Online%20Store%20Support%20Line&'));
        assert.ok(row.includes('&PARAMS[WORKTIME_TIMEZONE]=Europe/Berlin&'));
        assert.ok(row.endsWith('&'));
        const body = `{"halt": 0, "cmd": {"order0000000000": ${JSON.stringify(row)}}}`;
        const answer = await t.request(`${t.hook}batch`, { method: 'POST', headers: json, body });
        const result = batchResult(answer);
        assert.deepEqual(await doc(result.result.order0000000000), seedDoc);
      });
    });
  });
}

const json = { 'Content-Type': 'application/json' };
