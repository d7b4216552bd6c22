// The official client, @bitrix24/b24jssdk, unmodified, drives the connector path of issue 5 with an OAuth
// application: B24OAuth over plain HTTP (clients.md §2.5 item 3) with a token from this server's /oauth/token/.
// register → config.add (seed) → activate → data.set → status configured → deactivate → status off →
// config.delete → the status of that line reports it gone.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { B24OAuth } from '@bitrix24/b24jssdk';
import { sdkOAuthClient } from '../helpers/sdk-oauth.js';
import { SEED, TIME_KEYS } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CONNECTOR = 'sdk_connector';

describe('@bitrix24/b24jssdk B24OAuth: imconnector.*', () => {
  let t: TestServer;
  let b24: B24OAuth;

  before(async () => {
    t = await startTestServer();
    b24 = await sdkOAuthClient(t, 'Connector app');
  });
  after(() => t.close());

  const make = async (method: string, params: Record<string, unknown> = {}) => {
    const response = await b24.actions.v2.call.make({ method, params });
    assert.equal(response.isSuccess, true, `${method}: ${JSON.stringify(response.getErrorMessages())}`);
    const data = response.getData() as { result: unknown; time: object };
    assert.deepEqual(Object.keys(data.time).sort(), [...TIME_KEYS].sort());
    return data.result;
  };
  const status = (line: number) => make('imconnector.status', { CONNECTOR, LINE: line });
  const statusOf = (line: number, on: boolean) => ({
    LINE: line,
    CONNECTOR,
    ERROR: false,
    CONFIGURED: on,
    STATUS: on,
  });

  it('registers, activates, sets data, deactivates and loses the line with config.delete', async () => {
    assert.deepEqual(
      await make('imconnector.register', {
        ID: CONNECTOR,
        NAME: 'SDK Connector',
        ICON: { DATA_IMAGE: 'data:image/svg+xml;charset=US-ASCII,%3Csvg%2F%3E', COLOR: '#69acc0' },
        PLACEMENT_HANDLER: 'https://app.example.com/settings',
      }),
      { result: true },
    );
    const list = (await make('imconnector.list')) as Record<string, string>;
    assert.equal(list.livechat, 'Live Chat');
    assert.equal(list[CONNECTOR], 'SDK Connector');

    const line = (await make('imopenlines.config.add', SEED)) as number;
    assert.equal(typeof line, 'number');
    assert.deepEqual(await status(line), statusOf(line, false));

    assert.equal(await make('imconnector.activate', { CONNECTOR, LINE: line, ACTIVE: 1 }), true);
    assert.equal(
      await make('imconnector.connector.data.set', {
        CONNECTOR,
        LINE: line,
        DATA: { ID: `${CONNECTOR}_line${line}`, URL: 'https://example.com/chats/1', NAME: 'Support Channel' },
      }),
      true,
    );
    assert.deepEqual(await status(line), statusOf(line, true));
    assert.deepEqual(await make('imconnector.connector.data.get', { CONNECTOR, LINE: line }), {
      ID: `${CONNECTOR}_line${line}`,
      URL: 'https://example.com/chats/1',
      URL_IM: 'https://example.com/chats/1',
      NAME: 'Support Channel',
    });

    assert.equal(await make('imconnector.activate', { CONNECTOR, LINE: line, ACTIVE: 0 }), true);
    assert.deepEqual(await status(line), statusOf(line, false));
    assert.equal(await make('imconnector.activate', { CONNECTOR, LINE: line, ACTIVE: 'Y' }), true);

    assert.equal(await make('imopenlines.config.delete', { CONFIG_ID: line }), true);
    await assert.rejects(
      b24.actions.v2.call.make({ method: 'imconnector.status', params: { CONNECTOR, LINE: line } }),
      (error: { code?: string; status?: number }) => {
        assert.equal(error.code, 'NOT_ACTIVE_LINE');
        assert.equal(error.status, 400);
        return true;
      },
    );
  });

  it('sees register failures as a successful call whose result says false, as with Bitrix24', async () => {
    const result = await make('imconnector.register', {
      ID: 'my.connector',
      NAME: 'Dotted',
      ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
      PLACEMENT_HANDLER: 'https://app.example.com/settings',
    });
    assert.deepEqual(result, {
      result: false,
      error: 'APPLICATION_REGISTRATION_ERROR_POINT',
      error_description: 'Application registration error. Connector ID cannot contain dots (.).',
    });
  });

  it('surfaces an unknown connector as the thrown AjaxError NOT_AVAILABLE_CONNECTOR', async () => {
    await assert.rejects(
      b24.actions.v2.call.make({ method: 'imconnector.activate', params: { CONNECTOR: 'nobody', LINE: 1, ACTIVE: 1 } }),
      (error: { code?: string; status?: number }) => {
        assert.equal(error.code, 'NOT_AVAILABLE_CONNECTOR');
        assert.equal(error.status, 400);
        return true;
      },
    );
  });
});
