// fast-check arbitraries for HTTP requests to openlines (issue 8): every method with parameters of every shape —
// wrong types, huge and deeply nested values, unicode and control characters, SQL and header injection text,
// PHP bracket edge cases, duplicated keys — in every content type, some of them malformed or truncated.
// A generated request is plain data (FuzzRequest); http-fuzz.ts sends it and judges the answer.

import fc from 'fast-check';
import { LINE_FIELDS } from '../../src/domain/lines/catalogue.js';
import { buildRegistry } from '../../src/methods/index.js';

/** What the fuzzer knows of the server it attacks: credentials and ids that exist. */
export interface FuzzTarget {
  /** /rest/1/<code>/ of an administrator's webhook. */
  readonly hookPath: string;
  /** An OAuth access token of an application (imconnector.* need one). */
  readonly token: string;
  readonly connectorCode: string;
  readonly userIds: readonly number[];
}

export interface FuzzRequest {
  readonly label: string;
  readonly httpMethod: string;
  /** Path and query, as sent on the request line (may be malformed on purpose). */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  /** Send only this many bytes of the body and close the connection (the Content-Length says more). */
  readonly truncateAt?: number;
}

const DEFINITIONS = buildRegistry().list();
export const METHODS = DEFINITIONS.map((m) => m.name);
/** Methods only an application may call (imconnector.*, event.*): sent mostly with the application's token. */
const APP_ONLY = new Set(DEFINITIONS.filter((m) => m.appContextOnly).map((m) => m.name));
const FIELD_NAMES = LINE_FIELDS.map((f) => f.name);

// ----------------------------------------------------------------------------------------------------------------
// Values

/** Text an attacker tries: SQL, JSON and header injection, PHP and JS specials, references, odd numbers. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  '1',
  '01',
  '1.5',
  '1e3',
  '1e309',
  '-0',
  '0x1A',
  'NaN',
  'Infinity',
  '9223372036854775808',
  '99999999999999999999999',
  '2147483648',
  'Y',
  'N',
  'y',
  'true',
  'false',
  'null',
  'undefined',
  '[]',
  '{}',
  "' OR '1'='1",
  "'; DROP TABLE lines; --",
  '" OR ""="',
  '1) OR (1=1',
  '1; DELETE FROM webhooks WHERE 1=1; --',
  "x' UNION SELECT code_hash FROM webhooks --",
  "$.LINE_NAME') OR 1=1 --",
  '%',
  '_',
  '%_%',
  '\\',
  '\\x00',
  '\u0000',
  'a\u0000b',
  '\r\nX-Injected: 1',
  'line\r\nSet-Cookie: x=1',
  '\n',
  '\t',
  '\u0007\u001b[31m',
  '\u202etxt.exe',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  '💥🚀',
  'é',
  'Ω≈ç√∫',
  '中文字符',
  'العربية',
  '<script>alert(1)</script>',
  ']]><x/>',
  '&amp;&lt;',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '$result[a]',
  '$result[a][ID]',
  '$next[a]',
  '$time[a]',
  '$error[a]',
  '$' + '{7*7}',
  '{{7*7}}',
  '../../etc/passwd',
  'imopenlines.config.add',
  'batch',
  'user',
  'department',
  'SA,SU',
  '9:00',
  '25:61',
  '2026-11-23T10:00:00+00:00',
  'http://example.com/',
  'javascript:alert(1)',
  'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=',
];

/** Long text: over the 255/65 535-character columns, the warning clip, the header limit. */
const longString = fc
  .tuple(
    fc.constantFrom('a', 'é', '💥', "'", '\r\n', '\u0000', '%'),
    fc.oneof(fc.integer({ min: 200, max: 2_000 }), fc.integer({ min: 60_000, max: 70_000 })),
  )
  .map(([c, n]) => c.repeat(n));

const hostileString = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 30, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 20, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 20, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 10, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  { weight: 5, arbitrary: fc.constantFrom(...METHODS) },
  { weight: 1, arbitrary: longString },
);

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.integer({ min: -3, max: 40 }),
  fc.constantFrom(0, -0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, 5e-324),
  fc.double(),
);

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** A key of an object: field names (any letter case), brackets, specials, anything. */
export const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  { weight: 1, arbitrary: fc.constantFrom(...FIELD_NAMES).map((n) => n.toLowerCase()) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'ID',
      'NAME',
      'ENTITY_TYPE',
      'ENTITY_ID',
      'select',
      'filter',
      'order',
      'limit',
      'offset',
      'QUEUE',
      'CONFIG_QUEUE',
      'CHECK_PERMISSION',
      '__proto__',
      'constructor',
      '0',
      '1',
      '-1',
      '',
      '=ID',
      '!ID',
      '%LINE_NAME',
      '>=ID',
      '<ID',
      '!=ACTIVE',
      "ID' OR 1=1 --",
      'LINE_NAME"; DROP TABLE lines; --',
      'a[]',
      'a[b',
      'DATA_IMAGE',
      'COLOR',
      'URL',
      'URL_IM',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
);

/** Any JSON-able value, nested a few levels, from hostile scalars. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 5 }) },
    { weight: 1, arbitrary: fc.dictionary(hostileKey, tie('value'), { maxKeys: 5 }) },
  ),
})).value;

/** A value nested `depth` levels (arrays or objects), around the 32-level limit. */
const deepValue = fc.tuple(fc.integer({ min: 25, max: 80 }), fc.boolean(), scalar).map(([depth, asArray, leaf]) => {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  return v;
});

/** Many keys or many elements, around the 10 000-parameter limit. */
const wideValue = fc
  .tuple(fc.constantFrom(100, 2_000, 9_999, 10_001, 20_000), fc.boolean())
  .map(([n, asArray]) =>
    asArray
      ? Array.from({ length: n }, (_, i) => i)
      : Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])),
  );

export const anyValue = fc.oneof(
  { weight: 20, arbitrary: hostileValue },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: wideValue },
);

// ----------------------------------------------------------------------------------------------------------------
// Parameters per method

/** Integers past the store's columns (32-bit, 64-bit) and past exact JS numbers. */
const outOfRange = fc.constantFrom(
  '2147483648',
  '4294967297',
  '9999999999',
  '9223372036854775807',
  '99999999999999999999',
  '-2147483649',
  1e300,
  -1e300,
  2 ** 53 + 2,
);

const configId = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 40 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 40 }).map(String) },
  { weight: 1, arbitrary: outOfRange },
  { weight: 2, arbitrary: anyValue },
);

const queueEntry = fc.oneof(
  fc.record({
    ENTITY_TYPE: fc.constantFrom('user', 'department', 'USER', 'group', ''),
    ENTITY_ID: fc.oneof(
      fc.integer({ min: -1, max: 12 }),
      fc.integer({ min: 0, max: 12 }).map(String),
      outOfRange,
      anyValue,
    ),
  }),
  fc.integer({ min: 0, max: 12 }),
  anyValue,
);

const lineParams = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES), anyValue, { maxKeys: 8 }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      { LINE_NAME: hostileString, QUEUE: fc.array(queueEntry, { maxLength: 6 }), QUEUE_USERS_FIELDS: anyValue },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyValue },
);

const listParams = fc.record(
  {
    select: fc.oneof(
      fc.array(fc.oneof(fc.constantFrom(...FIELD_NAMES, '*', 'QUEUE'), hostileKey), { maxLength: 6 }),
      anyValue,
    ),
    filter: fc.oneof(
      fc.dictionary(hostileKey, anyValue, { maxKeys: 4 }),
      fc.dictionary(
        fc
          .tuple(fc.constantFrom('', '!', '=', '>', '>=', '<', '<=', '%'), fc.constantFrom(...FIELD_NAMES))
          .map(([p, f]) => p + f),
        fc.oneof(outOfRange, hostileString, fc.array(hostileString, { maxLength: 3 })),
        { maxKeys: 3 },
      ),
      anyValue,
    ),
    order: fc.oneof(
      fc.dictionary(hostileKey, fc.oneof(fc.constantFrom('ASC', 'DESC', 'asc', 'desc', ''), hostileString), {
        maxKeys: 3,
      }),
      anyValue,
    ),
    limit: fc.oneof(fc.integer({ min: -5, max: 250 }), anyValue),
    offset: fc.oneof(fc.integer({ min: -5, max: 50 }), anyValue),
  },
  { requiredKeys: [] },
);

function connectorParams(target: FuzzTarget) {
  const connector = fc.oneof(
    fc.constant(target.connectorCode),
    fc.constantFrom('livechat', 'telegrambot'),
    hostileString,
  );
  const icon = fc.oneof(
    fc.record(
      { DATA_IMAGE: hostileString, COLOR: hostileString, SIZE: hostileString, POSITION: hostileString },
      { requiredKeys: [] },
    ),
    anyValue,
  );
  // imconnector.send/update/delete.messages and send.status.*: items of the documented shape with hostile values
  // (and the im block of the status methods), or anything at all.
  // Texts at and just over the 20 000-character limit too.
  const text = fc.oneof(
    hostileString,
    fc.string({ maxLength: 30 }),
    anyValue,
    fc.constantFrom('x'.repeat(20_000), 'é'.repeat(20_001), `${'ab '.repeat(6_667)}abc`),
  );
  const item = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record(
        {
          user: fc.oneof(
            fc.record(
              {
                id: fc.oneof(fc.constantFrom('u1', 'u2'), hostileString),
                name: hostileString,
                last_name: hostileString,
                title: hostileString,
                email: hostileString,
                gender: fc.oneof(fc.constantFrom('male', 'female'), hostileString),
                picture: anyValue,
                skip_phone_validate: hostileString,
              },
              { requiredKeys: [] },
            ),
            anyValue,
          ),
          message: fc.oneof(
            fc.record(
              {
                id: fc.oneof(fc.constantFrom('m1', 'm2'), hostileString, anyValue),
                text,
                date: anyValue,
                files: fc.oneof(
                  fc.array(
                    fc.record(
                      {
                        url: fc.oneof(
                          fc.constantFrom('https://example.com/a.png', 'ftp://example.com/f', 'javascript:alert(1)'),
                          hostileString,
                        ),
                        name: hostileString,
                      },
                      { requiredKeys: [] },
                    ),
                    { maxLength: 3 },
                  ),
                  anyValue,
                ),
                disable_crm: hostileString,
              },
              { requiredKeys: [] },
            ),
            anyValue,
          ),
          chat: fc.oneof(
            fc.record(
              { id: fc.oneof(fc.constantFrom('c1', 'c2'), hostileString), name: hostileString, url: hostileString },
              { requiredKeys: [] },
            ),
            anyValue,
          ),
          im: fc.record(
            { chat_id: anyValue, message_id: fc.oneof(fc.integer({ min: -1, max: 50 }), anyValue) },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: anyValue },
  );
  return fc.record(
    {
      MESSAGES: fc.oneof(
        { weight: 4, arbitrary: fc.array(item, { maxLength: 4 }) },
        { weight: 1, arbitrary: anyValue },
        // The 100-message limit: at it and over it, with small items (a hundred copies of a hostile item would make
        // bodies of hundreds of megabytes to encode, which is no test of the limit).
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.integer({ min: 99, max: 102 }), fc.constantFrom('c1', 'c2'), fc.string({ maxLength: 20 }))
            .map(([n, chat, text]) =>
              Array.from({ length: n }, (_, k) => ({
                user: { id: `u${k % 3}` },
                message: { id: `m${k}`, text },
                chat: { id: chat },
              })),
            ),
        },
      ),
      // imconnector.chat.name.set (CHAT_ID, NAME, USER_ID) and set.error.
      CHAT_ID: fc.oneof(fc.constantFrom('c1', 'c2', ''), hostileString, anyValue),
      USER_ID: fc.oneof(fc.constantFrom('u1', 'u2'), hostileString, anyValue),
      ID: fc.oneof(fc.constant(target.connectorCode), hostileString, anyValue),
      NAME: fc.oneof(hostileString, anyValue),
      ICON: icon,
      ICON_DISABLED: icon,
      PLACEMENT_HANDLER: hostileString,
      COMMENT: hostileString,
      CONNECTOR: connector,
      LINE: configId,
      ACTIVE: fc.oneof(fc.constantFrom(0, 1, '0', '1', 'Y', 'N', ''), anyValue),
      DATA: fc.oneof(
        fc.record(
          { ID: hostileString, URL: hostileString, URL_IM: hostileString, NAME: hostileString },
          { requiredKeys: [] },
        ),
        anyValue,
      ),
    },
    { requiredKeys: [] },
  );
}

const offlineField = fc.constantFrom('ID', 'TIMESTAMP_X', 'EVENT_NAME', 'MESSAGE_ID', 'PROCESS_ID', 'ERROR', 'id');
const offlineOp = fc.constantFrom('', '=', '>', '<', '>=', '<=', '@', '%', '!', '><');

/** events, event.* and event.offline.*: the real keys (in either case) with plausible and hostile values. */
function eventParams(): fc.Arbitrary<Record<string, unknown>> {
  const event = fc.oneof(
    fc.constantFrom(
      'OnImConnectorDialogStart',
      'onImConnectorLineDelete',
      'ONIMCONNECTORSTATUSDELETE',
      'OnImConnectorMessageAdd',
      'OnOpenlinesLineConfigChange',
      'ONAPPTEST',
      'OnAppTest',
      'OnAppInstall',
      ' OnImConnectorDialogFinish ',
      '',
    ),
    hostileString,
    anyValue,
  );
  // Handlers: loopback on a closed port, refused schemes and hosts, over-long URLs.
  const handler = fc.oneof(
    fc.constantFrom(
      'https://h.example.com/x',
      'http://127.0.0.1:9/h',
      'http://127.0.0.1:9/h?x=1#f',
      'https://127.0.0.1:9/other',
      'http://localhost/h',
      'ftp://127.0.0.1/h',
      'javascript:alert(1)',
      'http://[::1]:9/h',
      `http://127.0.0.1:9/${'p'.repeat(2_100)}`,
      '',
    ),
    hostileString,
    anyValue,
  );
  // User ids, and values past the 32-bit column they are stored in.
  const authType = fc.oneof(
    fc.constantFrom(0, 1, '0', '1', '2', '-1', '', 2 ** 31, -(2 ** 31) - 1, '99999999999', 2 ** 53, 1e21),
    anyValue,
  );
  return fc
    .tuple(
      fc.record(
        {
          event,
          handler,
          event_type: fc.oneof(fc.constantFrom('online', 'offline', 'OFFLINE', ''), hostileString, anyValue),
          auth_type: authType,
          auth_connector: fc.oneof(fc.constantFrom('', 'bridge'), anyValue),
          scope: fc.oneof(fc.constantFrom('imopenlines', 'imconnector', 'im', 'user', ''), hostileString, anyValue),
          full: anyValue,
          filter: fc.oneof(
            fc.dictionary(
              fc.tuple(offlineOp, offlineField).map(([op, field]) => op + field),
              fc.oneof(fc.constantFrom('2026-12-02T10:00:00+00:00', 'x'), fc.integer(), anyValue),
              { maxKeys: 3 },
            ),
            anyValue,
          ),
          order: fc.oneof(
            fc.dictionary(offlineField, fc.oneof(fc.constantFrom('ASC', 'desc', 'up'), anyValue)),
            anyValue,
          ),
          limit: fc.oneof(fc.integer({ min: -2, max: 60 }), outOfRange, anyValue),
          LIMIT: anyValue,
          clear: fc.oneof(fc.constantFrom(0, 1, '0'), anyValue),
          process_id: fc.oneof(fc.constantFrom('', 'p', '0123456789abcdef0123456789abcdef'), anyValue),
          error: fc.oneof(fc.constantFrom(0, 1), anyValue),
          id: fc.oneof(fc.array(fc.oneof(fc.integer({ min: -1, max: 50 }), outOfRange)), anyValue),
          message_id: fc.oneof(fc.array(fc.constantFrom('0123456789abcdef0123456789abcdef', 'short')), anyValue),
          start: fc.oneof(fc.integer({ min: -1, max: 60 }), outOfRange, anyValue),
        },
        { requiredKeys: [] },
      ),
      fc.boolean(),
    )
    .map(([params, upper]) =>
      upper ? Object.fromEntries(Object.entries(params).map(([k, v]) => [k.toUpperCase(), v])) : params,
    );
}

/** im.message.add/update/delete and im.dialog.messages.get: dialog and message ids of every size and shape. */
function imParams(): fc.Arbitrary<Record<string, unknown>> {
  const id = fc.oneof(
    fc.integer({ min: -1, max: 40 }),
    outOfRange,
    fc.constantFrom('1', ' 7', '1e3', '99999999999', '9'.repeat(20), '-1', ''),
    anyValue,
  );
  return fc.record(
    {
      DIALOG_ID: fc.oneof(
        fc.constantFrom('chat1', 'chat2', 'CHAT3', 'chat0', `chat${'9'.repeat(20)}`, 'sg1', 'crm1', '1', 'chat', ''),
        fc
          .oneof(fc.integer({ min: -1, max: 40 }), fc.constantFrom('99999999999', '9'.repeat(20), ' 7', '1e3', '-0'))
          .map((n) => `chat${n}`),
        hostileString,
        anyValue,
      ),
      CHAT_ID: id,
      USER_ID: id,
      MESSAGE_ID: id,
      ID: id,
      MESSAGE: fc.oneof(
        fc.string({ maxLength: 30 }),
        hostileString,
        fc.constantFrom('x'.repeat(20_001), 'a[BR]b', '[br]', ' '),
        anyValue,
      ),
      SYSTEM: fc.oneof(fc.constantFrom('Y', 'N'), anyValue),
      ATTACH: anyValue,
      KEYBOARD: anyValue,
      MENU: anyValue,
      FIRST_ID: fc.oneof(fc.constantFrom('0', '1', '-1', 'x', '9'.repeat(20)), id),
      LAST_ID: fc.oneof(fc.constantFrom('0', '1', '-1', 'x', '9'.repeat(20)), id),
      LIMIT: id,
    },
    { requiredKeys: [] },
  );
}

/** Parameters for `method`: its real parameters with hostile values, and stray keys. */
function paramsFor(method: string, target: FuzzTarget): fc.Arbitrary<Record<string, unknown>> {
  const extra = fc.dictionary(hostileKey, anyValue, { maxKeys: 3 });
  let own: fc.Arbitrary<Record<string, unknown>>;
  if (method === 'imopenlines.config.add') own = fc.record({ PARAMS: lineParams }, { requiredKeys: [] });
  else if (method === 'imopenlines.config.update') {
    own = fc.record({ CONFIG_ID: configId, PARAMS: lineParams }, { requiredKeys: [] });
  } else if (method === 'imopenlines.config.get') {
    own = fc.record({ CONFIG_ID: configId, WITH_QUEUE: anyValue, SHOW_OFFLINE: anyValue }, { requiredKeys: [] });
  } else if (method === 'imopenlines.config.delete') own = fc.record({ CONFIG_ID: configId }, { requiredKeys: [] });
  else if (method === 'imopenlines.config.list.get') {
    own = fc.record(
      {
        PARAMS: fc.oneof({ weight: 4, arbitrary: listParams }, { weight: 1, arbitrary: anyValue }),
        OPTIONS: fc.oneof(
          fc.record(
            {
              QUEUE: anyValue,
              CONFIG_QUEUE: anyValue,
              CHECK_PERMISSION: fc.oneof(fc.constantFrom('VIEW', 'MODIFY'), anyValue),
            },
            { requiredKeys: [] },
          ),
          anyValue,
        ),
        start: fc.oneof(fc.integer({ min: -1, max: 60 }), anyValue),
      },
      { requiredKeys: [] },
    );
  } else if (method.startsWith('imconnector.')) own = connectorParams(target);
  else if (method.startsWith('event')) own = eventParams();
  else if (method.startsWith('im.')) own = imParams();
  else own = fc.constant({});
  return fc.tuple(own, extra).map(([o, e]) => ({ ...e, ...o }));
}

function batchParams(target: FuzzTarget): fc.Arbitrary<Record<string, unknown>> {
  const command = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...METHODS, 'batch', 'no.such.method', ''), fc.constantFrom(...METHODS))
        .chain(([name, forParams]) =>
          fc.tuple(fc.constant(name), paramsFor(forParams, target), fc.boolean()).map(([n, p, asForm]) =>
            // The query part as clients write it (PHP bracket form), or garbage.
            asForm ? `${n}?${formEncode(p)}` : `${n}?${percentEncode(JSON.stringify(p) ?? '')}`,
          ),
        ),
    },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: anyValue },
  );
  return fc.record(
    {
      cmd: fc.oneof(
        { weight: 4, arbitrary: fc.array(command, { maxLength: 8 }) },
        {
          weight: 2,
          arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('a', 'b', '0', '1', 'x y'), hostileKey), command, {
            maxKeys: 8,
          }),
        },
        { weight: 1, arbitrary: fc.array(command, { minLength: 49, maxLength: 55 }) },
        { weight: 1, arbitrary: anyValue },
      ),
      halt: fc.oneof(fc.constantFrom(0, 1, '0', '1', 'false', 'true', 'Y'), anyValue),
    },
    { requiredKeys: [] },
  );
}

// ----------------------------------------------------------------------------------------------------------------
// Encodings

/** PHP bracket form of a tree: a[b][0]=x (what PHP clients and b24jssdk send). */
export function formPairs(value: unknown, prefix = ''): [string, string][] {
  if (value === null || value === undefined) return [[prefix, '']];
  if (typeof value !== 'object') return [[prefix, String(value)]];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length === 0) return prefix ? [[prefix, '']] : [];
  return entries.flatMap(([k, v]) => formPairs(v, prefix ? `${prefix}[${k}]` : k));
}

/** encodeURIComponent that takes lone surrogates too (they go as U+FFFD, as any UTF-8 encoder sends them). */
export function percentEncode(text: string): string {
  return Buffer.from(text, 'utf8')
    .toString('latin1')
    .replace(/[^A-Za-z0-9\-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function formEncode(value: unknown): string {
  return formPairs(value)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
}

/** Raw form pairs with PHP's bracket edge cases and duplicates (keys not percent-encoded, on purpose). */
const bracketKey = fc
  .tuple(
    fc.constantFrom(
      'PARAMS',
      'a',
      'CONFIG_ID',
      'cmd',
      'select',
      'filter',
      'QUEUE',
      'LINE_NAME',
      '',
      ' x',
      'a.b',
      'a b',
    ),
    fc.constantFrom(
      '',
      '[]',
      '[][b]',
      '[0][',
      '[',
      ']',
      '][',
      '[ ]',
      '[a]x',
      '[a][b][c]',
      '[LINE_NAME]',
      '[QUEUE][][ENTITY_ID]',
      '[QUEUE][0][ENTITY_TYPE]',
      '[filter][%LINE_NAME]',
      '[order][ID]',
      '[__proto__][x]',
      '[constructor][prototype]',
      '[9223372036854775807][]',
      '[-1]',
      '[99999999999]',
      '%00[x]',
      '[a%5Db]',
      '[a]'.repeat(33),
      '[]'.repeat(40),
    ),
  )
  .map(([base, suffix]) => base + suffix);

const rawFormBody = fc
  .array(
    fc.tuple(
      fc.oneof({ weight: 3, arbitrary: bracketKey }, { weight: 1, arbitrary: hostileString.map(percentEncode) }),
      fc.oneof(hostileString.map(percentEncode), fc.constantFrom('%', '%zz', '%e2%82', '+', '%2B', '%00', '%ff%fe')),
      fc.boolean(),
    ),
    { maxLength: 12 },
  )
  .map((pairs) => pairs.map(([k, v, withEq]) => (withEq ? `${k}=${v}` : k)).join('&'));

function multipart(pairs: [string, string][], boundary: string, malformed: number): Buffer {
  let text = '';
  for (const [name, value] of pairs) {
    text += `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/"/g, '%22')}"\r\n\r\n${value}\r\n`;
  }
  if (malformed === 1)
    text += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\u0000\u0001binary\r\n`;
  if (malformed === 2) return Buffer.from(text); // no closing boundary
  if (malformed === 3) return Buffer.from(`${text}--${boundary.slice(1)}--\r\n`); // wrong closing boundary
  if (malformed === 4) return Buffer.from(`garbage before\r\n${text}`);
  return Buffer.from(`${text}--${boundary}--\r\n`);
}

/** JSON text with a key written twice (JSON.parse keeps the last, as PHP's json_decode does). */
function duplicateKeys(params: Record<string, unknown>, key: string, first: unknown): string {
  const body = JSON.stringify(params);
  const head = `{${JSON.stringify(key)}:${JSON.stringify(first ?? null)}`;
  return body === '{}' ? `${head}}` : `${head},${body.slice(1)}`;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/vnd.api+json',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=UTF-8',
  'text/plain',
  '',
  'application/xml',
  'text/html',
  'application/octet-stream',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/mixed; boundary=x',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  ';',
  'a/b; c',
  'x'.repeat(300),
];

// ----------------------------------------------------------------------------------------------------------------
// Requests

export function fuzzRequest(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const credentials = fc.oneof(
    { weight: 8, arbitrary: fc.constant('hook') },
    { weight: 3, arbitrary: fc.constant('token') },
    { weight: 1, arbitrary: fc.constantFrom('none', 'wrong-hook', 'token-param', 'bad-bearer') },
  );
  const method = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...METHODS) },
    { weight: 3, arbitrary: fc.constant('batch') },
    {
      weight: 1,
      arbitrary: fc.oneof(hostileString, fc.constantFrom('IMOPENLINES.CONFIG.GET', 'batch.json', 'a..b', 'a/b')),
    },
  );
  const suffix = fc.constantFrom('', '', '', '.json', '.xml', '/', '.JSON', '.php');
  const encoding = fc.constantFrom('json', 'json', 'json', 'form', 'form', 'multipart', 'query', 'raw-form', 'other');

  // Application-only methods go mostly with the application's token, so that they get past authentication.
  const appCredentials = fc.oneof(
    { weight: 2, arbitrary: fc.constant('hook') },
    { weight: 8, arbitrary: fc.constantFrom('token', 'token-param') },
    { weight: 1, arbitrary: fc.constantFrom('none', 'wrong-hook', 'bad-bearer') },
  );

  return fc
    .tuple(
      method.chain((name) => fc.tuple(fc.constant(name), APP_ONLY.has(name) ? appCredentials : credentials)),
      suffix,
      encoding,
      fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'),
    )
    .chain(([[name, cred], sfx, enc, httpMethod]) => {
      const params = name === 'batch' ? batchParams(target) : paramsFor(METHODS.includes(name) ? name : 'x', target);
      return fc
        .tuple(
          params,
          fc.constantFrom(...CONTENT_TYPES),
          fc.integer({ min: 0, max: 19 }),
          fc.integer({ min: 0, max: 6 }),
          rawFormBody,
          fc.oneof(hostileKey, fc.constant('PARAMS')),
          anyValue,
          fc.boolean(),
        )
        .map(([p, otherType, mutation, multipartShape, rawForm, dupKey, dupFirst, strict]): FuzzRequest => {
          const headers: Record<string, string> = {};
          let path: string;
          const methodPath = percentEncode(name).replace(/%2F/g, '/') + sfx;
          if (cred === 'hook') path = `${target.hookPath}${methodPath}`;
          else if (cred === 'wrong-hook')
            path = `${target.hookPath.replace(/\/[^/]+\/$/, '/wrongcode1234567/')}${methodPath}`;
          else path = `/rest/${methodPath}`;
          if (cred === 'token') headers.authorization = `Bearer ${target.token}`;
          if (cred === 'bad-bearer') headers.authorization = 'Bearer \u00ff';
          const withAuth = cred === 'token-param' ? { ...p, auth: target.token } : p;
          if (strict) headers['x-openlines-strict'] = '1';

          let body: Buffer | undefined;
          let query = '';
          let label = `${httpMethod} ${name}${sfx} ${cred} ${enc}`;
          switch (enc) {
            case 'json': {
              headers['content-type'] = otherType.includes('json') ? otherType : 'application/json';
              let text = mutation === 0 ? duplicateKeys(withAuth, dupKey, dupFirst) : JSON.stringify(withAuth);
              // Malformed JSON: cut anywhere, or a top-level scalar or array.
              if (mutation === 1) text = text.slice(0, Math.floor(text.length / 2));
              if (mutation === 2) text = JSON.stringify(Object.values(withAuth));
              if (mutation === 3) text = JSON.stringify(dupFirst ?? null);
              if (mutation === 4) text = `${text}garbage`;
              label += ` m${mutation}`;
              body = Buffer.from(text);
              break;
            }
            case 'form':
              headers['content-type'] =
                mutation < 10 ? 'application/x-www-form-urlencoded' : mutation < 15 ? 'text/plain' : '';
              if (headers['content-type'] === '') delete headers['content-type'];
              body = Buffer.from(formEncode(withAuth));
              break;
            case 'raw-form':
              headers['content-type'] = 'application/x-www-form-urlencoded';
              body = Buffer.from(`${formEncode(withAuth)}&${rawForm}`);
              break;
            case 'multipart': {
              const boundary = `----fuzz${mutation}x${'b'.repeat(mutation)}`;
              headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
              body = multipart(formPairs(withAuth), boundary, multipartShape);
              label += ` shape${multipartShape}`;
              break;
            }
            case 'query':
              query = formEncode(withAuth);
              break;
            default:
              headers['content-type'] = otherType;
              body = Buffer.from(mutation % 2 ? JSON.stringify(withAuth) : formEncode(withAuth));
              label += ` type=${JSON.stringify(otherType.slice(0, 40))}`;
          }
          if (query) path += `?${query}`;
          // Some bodies are cut short: the connection closes before Content-Length bytes arrive.
          if (httpMethod === 'GET' || httpMethod === 'HEAD') body = undefined;
          const truncateAt = body && body.length > 2 && mutation === 19 ? Math.floor(body.length / 3) : undefined;
          if (truncateAt !== undefined) label += ' truncated';
          return {
            label,
            httpMethod,
            path,
            headers,
            ...(body ? { body } : {}),
            ...(truncateAt !== undefined ? { truncateAt } : {}),
          };
        });
    });
}

/** Requests to the token endpoint: OAuth parameters with hostile values. */
export function tokenRequest(): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(
      fc.record(
        {
          grant_type: fc.oneof(
            fc.constantFrom('refresh_token', 'authorization_code', 'client_credentials', 'password'),
            hostileString,
          ),
          client_id: hostileString,
          client_secret: hostileString,
          refresh_token: hostileString,
          code: hostileString,
          scope: hostileString,
        },
        { requiredKeys: [] },
      ),
      fc.constantFrom('GET', 'POST'),
      fc.constantFrom('/oauth/token/', '/oauth/token', '/oauth/token/?x=1'),
      fc.boolean(),
    )
    .map(([params, httpMethod, path, asJson]): FuzzRequest => {
      const encoded = formEncode(params);
      if (httpMethod === 'GET') {
        return {
          label: `GET ${path}`,
          httpMethod,
          path: `${path}${path.includes('?') ? '&' : '?'}${encoded}`,
          headers: {},
        };
      }
      return {
        label: `POST ${path} ${asJson ? 'json' : 'form'}`,
        httpMethod,
        path,
        headers: { 'content-type': asJson ? 'application/json' : 'application/x-www-form-urlencoded' },
        body: Buffer.from(asJson ? JSON.stringify(params) : encoded),
      };
    });
}

/** Oversized bodies: just over the 1 MiB limit, as JSON or form. */
export function hugeRequest(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(fc.constantFrom(1_048_000, 1_048_577, 1_200_000), fc.boolean()).map(([size, asJson]) => {
    const text = 'x'.repeat(size);
    const body = asJson ? JSON.stringify({ PARAMS: { LINE_NAME: text } }) : `PARAMS[LINE_NAME]=${text}`;
    return {
      label: `POST config.add huge ${size} ${asJson ? 'json' : 'form'}`,
      httpMethod: 'POST',
      path: `${target.hookPath}imopenlines.config.add`,
      headers: { 'content-type': asJson ? 'application/json' : 'application/x-www-form-urlencoded' },
      body: Buffer.from(body),
    };
  });
}

/**
 * The admin page's methods (openlines.admin.*, the event deliveries among them) and files: hostile query values,
 * credentials and file names.
 */
export function adminRequest(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const [, , user, code] = target.hookPath.split('/');
  const value = fc.oneof(fc.integer({ min: -2, max: 40 }).map(String), outOfRange.map(String), hostileString);
  return fc
    .tuple(
      fc.constantFrom('history', 'session', 'catalogue', 'file', 'events.failed', 'events.retry'),
      value,
      value,
      value,
      fc.constantFrom(
        { base: `/rest/${user}/${code}/` },
        { base: '/rest/', authorization: `Bearer ${target.token}` },
        { base: '/rest/1/wrongcode1234567/' },
        { base: `/rest/99999999999/${code}/` },
        { base: '/rest/' },
      ),
      fc.oneof(
        fc.constantFrom(
          'index.html',
          'app.js',
          '..%2fpackage.json',
          '%2e%2e/%2e%2e/etc/passwd',
          '.env',
          'x.html',
          '..',
        ),
        hostileString.map(percentEncode),
      ),
    )
    .map(([kind, line, limit, offset, credential, file]): FuzzRequest => {
      const headers: Record<string, string> = credential.authorization
        ? { authorization: credential.authorization }
        : {};
      const query = `LINE_ID=${percentEncode(line)}&LIMIT=${percentEncode(limit)}&start=${percentEncode(offset)}`;
      if (kind === 'events.failed' || kind === 'events.retry') {
        const params =
          kind === 'events.retry'
            ? `ID=${percentEncode(line)}`
            : `LIMIT=${percentEncode(limit)}&start=${percentEncode(offset)}`;
        const path = `${credential.base}openlines.admin.${kind}?${params}`;
        return { label: `GET admin ${kind}`, httpMethod: 'GET', path, headers };
      }
      const method = `${credential.base}openlines.admin.${kind}.get`;
      const path = kind === 'file' ? `/admin/${file}` : kind === 'history' ? `${method}?${query}` : method;
      return { label: `GET admin ${kind}`, httpMethod: 'GET', path, headers };
    });
}

/** The request mix: mostly REST calls, some token and admin requests, a few oversized bodies. */
export function anyRequest(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    { weight: 90, arbitrary: fuzzRequest(target) },
    { weight: 8, arbitrary: tokenRequest() },
    { weight: 4, arbitrary: adminRequest(target) },
    { weight: 1, arbitrary: hugeRequest(target) },
  );
}
