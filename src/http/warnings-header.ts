// X-Openlines-Warnings: what compat mode substituted, as a JSON array of {field, sent, used, reason}, ASCII only
// (encodePhpJson escapes the rest) and bounded in size.

import type { CallAnswer } from '../rest/rest-core.js';
import { WARNING_VALUE_MAX_CHARS } from '../wire/limits.js';
import { encodePhpJson } from '../wire/php-json.js';

const WARNINGS_HEADER_MAX_CHARS = 6_000;

function clip(value: unknown): unknown {
  if (typeof value === 'string' && value.length > WARNING_VALUE_MAX_CHARS) {
    return `${value.slice(0, WARNING_VALUE_MAX_CHARS)}…`;
  }
  if (value !== null && typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length > WARNING_VALUE_MAX_CHARS ? `${text.slice(0, WARNING_VALUE_MAX_CHARS)}…` : value;
  }
  return value;
}

export function warningsHeader(warnings: CallAnswer['warnings']): string | undefined {
  if (warnings.length === 0) return undefined;
  const items: object[] = [];
  let size = 2;
  for (const [i, w] of warnings.entries()) {
    const item = { field: w.field, sent: clip(w.sent), used: clip(w.used), reason: w.reason };
    const text = encodePhpJson(item);
    if (size + text.length > WARNINGS_HEADER_MAX_CHARS) {
      items.push({ field: '*', reason: `${warnings.length - i} more warnings not shown` });
      break;
    }
    items.push(item);
    size += text.length + 1;
  }
  return encodePhpJson(items);
}
