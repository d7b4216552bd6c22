// Generates docs/fields.md (from the field catalogue) and docs/errors.md (from the error catalogue).
// `npm run gen:docs` writes them; test/unit/docs.test.ts fails when the committed files are stale.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AUTO_LINE_NAME } from '../src/domain/lines/apply-input.js';
import { FIELD_GROUPS, LINE_FIELDS } from '../src/domain/lines/catalogue.js';
import { defaultValue, kindOf } from '../src/domain/lines/field-kinds.js';
import type { FieldDescriptor } from '../src/domain/lines/field-types.js';
import { ERRORS, RESULT_ERRORS } from '../src/wire/errors.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultText(field: FieldDescriptor): string {
  if (field.readOnly) return '—';
  const value = defaultValue(field);
  if (value === AUTO_LINE_NAME) return 'automatic name';
  if (value === null) return '`null`';
  if (Array.isArray(value)) return value.length ? `\`${JSON.stringify(value)}\`` : 'empty';
  if (typeof value === 'string' && value.length > 40) return `"${value.slice(0, 40)}…"`;
  return `\`${String(value)}\``;
}

export function fieldsMarkdown(): string {
  const lines = [
    '# Line configuration fields',
    '',
    'Generated from `src/domain/lines/catalogue.ts` by `npm run gen:docs`; do not edit by hand.',
    '',
    'Input is normalised as Bitrix24 does (compat mode): a value outside the rules is replaced and reported in the',
    '`X-Openlines-Warnings` header; in strict mode the same request gets `400 ERROR_ARGUMENT` naming the field.',
    '`get` and `list.get` print scalars as strings.',
    '',
  ];
  for (const group of FIELD_GROUPS) {
    const fields = LINE_FIELDS.filter((f) => f.group === group.id);
    if (!fields.length) continue;
    lines.push(
      `## ${group.label}`,
      '',
      '| Field | Type and values | Default | Meaning | Source |',
      '|---|---|---|---|---|',
    );
    for (const f of fields) {
      const notes = [f.help];
      if (f.kind === 'enum' && f.invalidBecomes !== f.default)
        notes.push(`Invalid values become \`${f.invalidBecomes}\`.`);
      if (f.kind === 'yn') notes.push(`Values other than Y/N become \`${f.otherwise}\`.`);
      if (f.readOnly) notes.push('Read-only.');
      lines.push(
        `| \`${f.name}\` | ${cell(kindOf(f).describe(f as never))} | ${cell(defaultText(f))} | ${cell(notes.join(' '))} | ${cell(f.source)} |`,
      );
    }
    lines.push('');
  }
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

export const GENERATED = {
  'docs/fields.md': fieldsMarkdown,
  'docs/errors.md': errorsMarkdown,
} as const;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [path, make] of Object.entries(GENERATED)) {
    writeFileSync(path, make());
    process.stdout.write(`wrote ${path}\n`);
  }
}
