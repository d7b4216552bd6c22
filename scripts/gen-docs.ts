// Generates docs/fields.md (from the field catalogue), docs/errors.md (from the error catalogue) and
// docs/events.md (from the event catalogue).
// `npm run gen:docs` writes them; test/unit/docs.test.ts fails when the committed files are stale.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EVENT_CATALOGUE, EVENT_NAMES, type EventName } from '../src/domain/events/event-catalogue.js';
import { defaultFor } from '../src/domain/lines/apply-input.js';
import { FIELD_GROUPS, LEGACY_IGNORED_KEYS, LINE_FIELDS, QUEUE_INPUTS } from '../src/domain/lines/catalogue.js';
import { type CatalogueName, effectText, FIELD_EFFECTS } from '../src/domain/lines/field-effects.js';
import { defaultValue, isAutoDefault, kindOf } from '../src/domain/lines/field-kinds.js';
import type { FieldDescriptor } from '../src/domain/lines/field-types.js';
import { eventBody } from '../src/jobs/deliver-events.js';
import { ERRORS, RESULT_ERRORS } from '../src/wire/errors.js';
import { parsePhpQuery } from '../src/wire/php-params.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultText(field: FieldDescriptor): string {
  if (field.readOnly) return '—';
  if (isAutoDefault(field)) return 'automatic name';
  const value = defaultValue(field);
  if (value === null) return '`null`';
  if (Array.isArray(value)) return value.length ? `\`${JSON.stringify(value)}\`` : 'empty';
  if (typeof value === 'string' && value.length > 40) return `"${value.slice(0, 40)}…"`;
  return `\`${String(value)}\``;
}

const SAMPLE_DATE = '2026-11-23T10:25:59+01:00';

/** How get/list.get print the field on a new line: the presented form of its default. */
function printedText(field: FieldDescriptor): string {
  if (field.kind === 'id') return '`"15"`';
  if (field.kind === 'date') return `\`"${SAMPLE_DATE}"\``;
  const value = defaultFor(field, { companyName: 'openlines' });
  const raw = value === undefined ? 'Open Channel 1' : value;
  const printed = JSON.stringify(kindOf(field).present(raw as never, { formatDate: () => SAMPLE_DATE }));
  return `\`${printed.length > 40 ? `${printed.slice(0, 39)}…"` : printed}\``;
}

/** The field's runtime effect (src/domain/lines/field-effects.ts), for the "Effect" column. */
function effectOf(name: string): string {
  return effectText(FIELD_EFFECTS[name as CatalogueName]);
}

export function fieldsMarkdown(): string {
  const lines = [
    '# Line configuration fields',
    '',
    'Generated from `src/domain/lines/catalogue.ts` by `npm run gen:docs`; do not edit by hand.',
    '',
    'Input is normalised as Bitrix24 does (compat mode): a value outside the rules is replaced and reported in the',
    '`X-Openlines-Warnings` header; in strict mode the same request gets `400 ERROR_ARGUMENT` naming the field.',
    '`get` and `list.get` print scalars as strings, arrays as arrays (`[""]` for an empty day or holiday list), and',
    'dates as ISO-8601 with the portal offset; the "Printed by get as" column shows the form for a new line.',
    '`QUEUE` and `QUEUE_USERS_FIELDS` are not stored fields: add and update expand them into the operator list.',
    'The "Effect" column says what the field does while the line works (`src/domain/lines/field-effects.ts`, the',
    'index of runtime-sessions.md §9; § numbers point there): each effect has a runtime test named after the field; `none:` says why a',
    'field has no effect, `not built:` what openlines does not emulate.',
    '',
  ];
  for (const group of FIELD_GROUPS) {
    const fields = LINE_FIELDS.filter((f) => f.group === group.id);
    const inputs = QUEUE_INPUTS.filter((input) => input.group === group.id);
    if (!fields.length && !inputs.length) continue;
    lines.push(
      `## ${group.label}`,
      '',
      '| Field | Type and values | Default | Printed by get as | Meaning | Effect | Source |',
      '|---|---|---|---|---|---|---|',
    );
    for (const f of fields) {
      const notes = [f.help];
      if (f.kind === 'enum' && f.invalidBecomes !== f.default)
        notes.push(`Invalid values become \`${f.invalidBecomes}\`.`);
      if (f.kind === 'yn') notes.push(`Values other than Y/N become \`${f.otherwise}\`.`);
      if (f.readOnly) notes.push('Read-only.');
      lines.push(
        `| \`${f.name}\` | ${cell(kindOf(f).describe(f as never))} | ${cell(defaultText(f))} | ${cell(printedText(f))} | ${cell(notes.join(' '))} | ${cell(effectOf(f.name))} | ${cell(f.source)} |`,
      );
    }
    for (const input of inputs) {
      const meaning = [input.help, input.expansion, input.errors].join(' ');
      lines.push(
        `| \`${input.name}\` | ${cell(input.accepts)} | ${cell(input.whenAbsent)} | ${cell(input.printed)} | ${cell(meaning)} | ${cell(effectOf(input.name))} | ${cell(input.source)} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '## Accepted and ignored',
    '',
    'Legacy names the reference ignores (openlines-api.md §2.1): add and update take them without a warning and store nothing.',
    '',
    '| Key | What happens |',
    '|---|---|',
    ...LEGACY_IGNORED_KEYS.map((key) => `| \`${key}\` | ignored |`),
    '',
  );
  return lines.join('\n');
}

export function errorsMarkdown(): string {
  const lines = [
    '# Error codes',
    '',
    'Generated from `src/wire/errors.ts` by `npm run gen:docs`; do not edit by hand.',
    'Every error is answered as `{"error": CODE, "error_description": text}` with the status below; the text',
    'shown is the default, and many answers name the field or value in it. Errors never carry `time`.',
    '',
    '| Code | HTTP | Default description | Source |',
    '|---|---|---|---|',
  ];
  for (const [code, spec] of Object.entries(ERRORS)) {
    lines.push(`| \`${code}\` | ${spec.status} | ${cell(spec.description)} | ${cell(spec.source)} |`);
  }
  lines.push(
    '',
    '## Failures inside `result` (HTTP 200)',
    '',
    '`imconnector.register` and `imconnector.unregister` answer their failures as Bitrix24 does: HTTP 200 with',
    '`{"result": {"result": false, "error": CODE, "error_description": text}}`.',
    '',
    '| Code | HTTP | Default description | Source |',
    '|---|---|---|---|',
  );
  for (const [code, spec] of Object.entries(RESULT_ERRORS)) {
    lines.push(`| \`${code}\` | ${spec.status} | ${cell(spec.description)} | ${cell(spec.source)} |`);
  }
  return `${lines.join('\n')}\n`;
}

export function eventsMarkdown(): string {
  const lines = [
    '# Events to applications',
    '',
    'Generated from `src/domain/events/event-catalogue.ts` by `npm run gen:docs`; do not edit by hand.',
    '',
    'An application binds a handler URL to an event with `event.bind` (`event`, `handler`, `auth_type`), lists its',
    'handlers with `event.get`, removes them with `event.unbind` (answers `{"count": n}`), lists the event codes',
    'with `events` (`SCOPE` or `FULL`) and checks its handler with `event.test`, which sends `ONAPPTEST` to its own',
    'handlers and answers `1`. These methods need an OAuth application (a webhook gets `403 WRONG_AUTH_TYPE`).',
    'Handler URLs follow Bitrix24: http or https, a host with a dot after its first character (`127.0.0.1` yes,',
    '`localhost` no), at most 255 characters; a duplicate is `400 ERROR_CORE`.',
    '',
    '**Handler destinations.** `EVENT_HANDLER_HOSTS` (default: any) lists the hosts, `*.domains`, addresses and',
    'CIDR networks handlers may point to. `event.bind` refuses another host with `400 ERROR_WRONG_HANDLER_URL`',
    "(`Wrong handler URL: this server's EVENT_HANDLER_HOSTS does not allow its host`, `argument: HANDLER`), and a",
    'delivery to a handler bound before the setting changed is not posted: it fails at once with `last_error`',
    '`handler host not allowed by EVENT_HANDLER_HOSTS`. Names are matched as written, never resolved.',
    '',
    '## Offline events',
    '',
    "An administrator's application may bind with `event_type=offline` (no handler; others get `403",
    'ACCESS_DENIED`). Its events are kept instead of posted, one row per event, identical events (same',
    '`MESSAGE_ID` = md5 of the code and the JSON data) collapsing into one row with a fresh time while not taken; an',
    "event caused by a call of the same application with the same `auth_connector` is not kept (Bitrix24's rule).",
    'Bindings, rows and the methods below are per application and per `auth_connector` (sent with the call).',
    '',
    '- `event.offline.get` (`filter`/`order` over `ID`, `TIMESTAMP_X`, `EVENT_NAME`, `MESSAGE_ID`; `limit`, default',
    '  50; `clear`, default 1; `process_id`; `error`): takes the first rows not taken yet, marks them with a new',
    '  process id and answers `{"process_id", "events"}`. With `clear=1` the rows are deleted and `process_id` is',
    '  `null`; with `clear=0` they stay marked, are not offered again, and the process id is answered: `get` with it',
    '  returns them again, `event.offline.clear` (`process_id`, optional `id[]` or `message_id[]`) deletes them, and',
    '  `event.offline.error` (`process_id`, `message_id[]`) marks them as failed (`get` with `error=1` returns those).',
    '  `clear=0` is always allowed (Bitrix24 cloud sells it as a feature).',
    '- `event.offline.list`: read-only, also over `PROCESS_ID` and `ERROR`, pages of 50 by `start` with `next` and',
    '  `total`.',
    '',
    'All four are for administrators only (`403 ACCESS_DENIED` `Access denied!`); their parameter keys are',
    'lower-cased.',
    '',
    '## Delivery',
    '',
    'Each event is one `POST` per handler, `application/x-www-form-urlencoded` in PHP bracket syntax (nulls and',
    'empty arrays left out, every value a string), keys in this order: `event` (the upper-case code),',
    '`event_handler_id`, `data`, `ts` (Unix seconds when queued) and `auth`. Compare `auth[application_token]`',
    'with the one `openlines app create` printed (`openlines app list` shows it again): it is the only proof that',
    'the POST comes from this server.',
    '',
    '`auth` names a user, as Bitrix24 does, when there is one: the handler’s own user (`auth_type` of',
    '`event.bind`) when it has one, else the user whose call caused the event (a webhook’s user, an access token’s,',
    '`openlines apply --user`). Then it carries a fresh OAuth access token of the application for that user, valid',
    '3600 s, that works for REST calls as that user: `access_token`, `expires` (Unix seconds), `expires_in`,',
    '`scope` (the application’s scopes, comma-joined), `domain`, `server_endpoint`, `status` (`L`),',
    '`client_endpoint`, `member_id`, `user_id`, `application_token`, in that order, and no refresh token. Each',
    'attempt gets its own token. Without a user: only `domain`, `client_endpoint`, `server_endpoint`, `member_id`',
    'and `application_token`. The examples below show the form with a user.',
    '',
    'Loop guard: a call made with a token an event brought emits its own events one level deeper; after 3 levels',
    '(event → handler call → event …) the events are dropped silently, so handlers that react to each other stop.',
    '',
    'Beyond Bitrix24, which sends once: the event is written in the same transaction as the change that causes it,',
    'so a change that rolls back sends nothing and a committed one is sent even after a crash or restart; a failed',
    'attempt (connection error, timeout, non-2xx; redirects are not followed) is retried with exponential backoff',
    'and jitter (`EVENT_ATTEMPTS`, default 6, over about an hour; `EVENT_TIMEOUT` 10 s per attempt), then kept as',
    'failed. Every POST carries `X-Openlines-Delivery` (the same id on every attempt: drop duplicates by it) and',
    '`X-Openlines-Attempt` (1, 2, …). With several servers on one PostgreSQL each delivery is made by one server.',
    'Administrators see the deliveries with `openlines events [--failed]` and on the admin page (Failed events),',
    'and send one again with `openlines events retry ID` or its Retry button (`openlines.admin.events.*`).',
    '',
    '| Event (code) | Scope | Receives it | When |',
    '|---|---|---|---|',
  ];
  for (const name of EVENT_NAMES) {
    const e = EVENT_CATALOGUE[name];
    const who =
      e.recipients === 'connector owner'
        ? 'the application that registered the connector'
        : e.recipients === 'calling application'
          ? 'the calling application'
          : 'every binding';
    const label = e.extension ? `${name} (openlines extension)` : name;
    lines.push(`| \`${label}\` (\`${name.toUpperCase()}\`) | ${e.scope} | ${who} | ${cell(e.when)} |`);
  }
  for (const name of EVENT_NAMES) lines.push('', ...eventSection(name));
  return `${lines.join('\n')}\n`;
}

function eventSection<N extends EventName>(name: N): string[] {
  const e = EVENT_CATALOGUE[name];
  const body = eventBody(
    {
      id: 1,
      bindingId: 3,
      appId: 1,
      event: name.toUpperCase(),
      handler: 'https://app.example.com/handler',
      data: e.data(e.example),
      ts: 1_764_670_000,
      attempt: 0,
      applicationToken: '0123456789abcdef0123456789abcdef',
      memberId: 'f3a9c0e1b2d4',
      token: {
        accessToken: 'k3v9x0q2m7w1c8r5t4y6u0i9o3p2a1s8d7f6g5h4j3k2l1z0x9c8v7b6n5m4q3w2',
        expires: 1_764_673_600,
        expiresIn: 3600,
        scopes: ['imopenlines', 'imconnector'],
        userId: 1,
      },
    },
    { base: 'https://openlines.example.com' },
  );
  return [
    `## ${name}`,
    '',
    `${e.when} Source: ${e.source}.`,
    '',
    'The body, as sent and as `parse_str` reads it:',
    '',
    '```',
    body,
    '```',
    '',
    '```json',
    JSON.stringify(parsePhpQuery(body), null, 2),
    '```',
  ];
}

export const GENERATED = {
  'docs/fields.md': fieldsMarkdown,
  'docs/errors.md': errorsMarkdown,
  'docs/events.md': eventsMarkdown,
} as const;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [path, make] of Object.entries(GENERATED)) {
    writeFileSync(path, make());
    process.stdout.write(`wrote ${path}\n`);
  }
}
