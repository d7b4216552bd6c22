// The imconnector messaging readers (src/domain/connectors/messages-input.ts): key case, the processed item, the
// customer profile, per-item failures, the argument errors, update/delete modes and the status items.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSendMessages, readStatusMessages } from '../../src/domain/connectors/messages-input.js';
import { RestError } from '../../src/wire/errors.js';

const item = (extra: Record<string, unknown> = {}) => ({
  user: { id: 'u' },
  message: { text: 'hi' },
  chat: { id: 'c' },
  ...extra,
});

function only(messages: unknown, command: 'send' | 'update' | 'delete' = 'send') {
  const input = readSendMessages({ connector: 'x', line: '3', messages }, command);
  assert.equal(input.items.length, 1);
  return input.items[0]![1];
}

describe('readSendMessages', () => {
  it('upper-cases the top-level names, lower-cases MESSAGES at every depth, casts LINE with (int)', () => {
    const input = readSendMessages({
      Connector: 'My',
      LINE: '7abc',
      Messages: [{ USER: { ID: 'A' }, MESSAGE: { TEXT: 't' }, CHAT: { ID: 'c' } }],
    });
    assert.equal(input.connector, 'My');
    assert.equal(input.lineId, 7);
    const [, first] = input.items[0]!;
    assert.ok(first.ok);
    assert.equal(first.message.externalUserId, 'A');
    assert.deepEqual(first.echo, { user: null, message: { text: 't' }, chat: { id: 'c' } });
  });

  it('the profile: two words split, a title or Guest for no name, gender M/F, picture url', () => {
    const profile = (user: Record<string, unknown>) => {
      const result = only([item({ user: { id: 'u', ...user } })]);
      assert.ok(result.ok);
      return result.message.profile;
    };
    assert.deepEqual([profile({ name: 'Ann Lee' }).name, profile({ name: 'Ann Lee' }).lastName], ['Ann', 'Lee']);
    assert.equal(profile({ name: 'Ann Mary Lee' }).name, 'Ann Mary Lee');
    assert.equal(profile({ title: 'Shop' }).name, 'Shop');
    assert.equal(profile({}).name, 'Guest');
    assert.equal(profile({ gender: 'female' }).gender, 'F');
    assert.equal(profile({ gender: 'other' }).gender, '');
    assert.equal(profile({ picture: { url: 'https://x.example/a.png' } }).avatar, 'https://x.example/a.png');
  });

  it('extra from exact Y only; disable_crm removed; chat.url becomes description; date {}', () => {
    const result = only([
      item({
        user: { id: 'u', skip_phone_validate: 'y' },
        message: { text: 't', disable_crm: 'Y', date: 5 },
        chat: { id: 'c', url: 'u://x' },
      }),
    ]);
    assert.ok(result.ok);
    assert.deepEqual(result.echo, {
      user: null,
      message: { text: 't', date: {} },
      chat: { id: 'c', description: 'Link to original post: u://x' },
      extra: { disable_tracker: 'Y' },
    });
  });

  it('per-item failures: no text and no file, a file URL that is not http(s), files not an array', () => {
    assert.deepEqual(only([item({ message: { text: ' ' } })]), { ok: false, errors: ['Incomplete data'] });
    assert.deepEqual(only([item({ message: { files: [{ url: 'file:///etc/passwd' }] } })]), {
      ok: false,
      errors: ["Field 'message.files[0].url' must be an http or https URL"],
    });
    assert.deepEqual(only([item({ message: { text: 't', files: 'x' } })]), {
      ok: false,
      errors: ["Field 'message.files' must be an array of {url, name}"],
    });
  });

  it('the argument errors: isset (so "" passes), the structure errors for send only, the 100 limit', () => {
    const argument = (params: Record<string, unknown>, command: 'send' | 'update' = 'send') => {
      try {
        readSendMessages(params, command);
        return null;
      } catch (error) {
        assert.ok(error instanceof RestError);
        return [error.message, error.extra.argument];
      }
    };
    assert.equal(argument({ CONNECTOR: '', LINE: '', MESSAGES: [] }), null);
    assert.deepEqual(argument({ CONNECTOR: null, LINE: 1, MESSAGES: [] }), [
      "Argument 'CONNECTOR' is null or empty",
      'CONNECTOR',
    ]);
    assert.deepEqual(argument({ CONNECTOR: 'x', LINE: 1, MESSAGES: [{ user: {} }] }), [
      'The incorrect structure of a message inside MESSAGES parameter.',
      '',
    ]);
    assert.equal(argument({ CONNECTOR: 'x', LINE: 1, MESSAGES: [{ user: {} }] }, 'update'), null);
    assert.deepEqual(argument({ CONNECTOR: 'x', LINE: 1, MESSAGES: Array(101).fill(item()) }), [
      "Field 'MESSAGES': at most 100 messages per call, got 101",
      'MESSAGES',
    ]);
  });

  it('a text over 20 000 characters is cut and reported', () => {
    const input = readSendMessages({
      CONNECTOR: 'x',
      LINE: 1,
      MESSAGES: [item({ message: { text: 'é'.repeat(20_005) } })],
    });
    const [, first] = input.items[0]!;
    assert.ok(first.ok);
    assert.equal(first.message.text.length, 20_000);
    assert.deepEqual(
      input.findings.warnings.map((w) => w.field),
      ['MESSAGES[0][message][text]'],
    );
  });

  it('delete reads user and chat only: no text needed, message echoed as sent', () => {
    const result = only([{ user: { id: 'u' }, message: { id: 'm' }, chat: { id: 'c' } }], 'delete');
    assert.ok(result.ok);
    assert.equal(result.message.externalMessageId, 'm');
    assert.deepEqual(result.echo, { user: null, message: { id: 'm' }, chat: { id: 'c' } });
  });
});

describe('readStatusMessages', () => {
  it('im.message_id as an id (empty: null), message.id a list or one id', () => {
    const input = readStatusMessages({
      CONNECTOR: 'x',
      LINE: 1,
      MESSAGES: [
        { im: { chat_id: 1, message_id: '12' }, message: { id: ['a', 'b'] } },
        { im: { message_id: 0 }, message: { id: 'z' } },
        'junk',
      ],
    });
    assert.deepEqual(input.items, [
      { messageId: 12, externalIds: ['a', 'b'] },
      { messageId: null, externalIds: ['z'] },
      { messageId: null, externalIds: [] },
    ]);
  });
});
