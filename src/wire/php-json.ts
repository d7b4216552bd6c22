// JSON exactly as Bitrix24 prints it: PHP's json_encode($x, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS)
// (no JSON_UNESCAPED_UNICODE, no JSON_UNESCAPED_SLASHES). Verified against php-cli 8.2:
//   '/' → '\/'   '<' → '\u003C'   '>' → '\u003E'   '&' → '\u0026'   "'" → '\u0027'   (upper-case hex for the HEX_ flags)
//   every non-ASCII UTF-16 code unit → '\uXXXX' with lower-case hex ('é' → '\u00e9', '😀' → '\ud83d\ude00')
//   control characters as JSON.stringify prints them (\b \f \n \r \t, others \u00XX lower-case); DEL (0x7F) raw.
// Numbers are printed as JS prints them (PHP would print the float 1e25 as 1.0e+25 and -0.0 as -0).

const NEEDS_ESCAPE = /[/<>&'\u0080-\uffff]/;
const ESCAPE_ALL = /[/<>&'\u0080-\uffff]/g;

const FIXED: Record<string, string> = {
  '/': '\\/',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  "'": '\\u0027',
};

function escapeChar(ch: string): string {
  return FIXED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Encoded values met by the encodePhpJson in progress (null: none in progress). */
let spliced: string[] | null = null;
/** A token no other string can be mistaken for: NULs (which no stored string keeps) around a per-process nonce. */
const NONCE = Math.random().toString(36).slice(2, 10);
const TOKEN = new RegExp(`"\\\\u0000EJ${NONCE}:(\\d+)\\\\u0000"`, 'g');

/**
 * A value kept as its JSON text, made once (issue 20: the read model keeps config.get's presented answer so).
 * encodePhpJson splices the text in wherever the value appears; anything else sees the value, decoded from the
 * text (JSON.stringify through toJSON, the XML encoder through `value`): PHP's escapes decode to the same value.
 * Only the text is kept: it is about half of what the value's objects take.
 */
export class EncodedJson {
  readonly json: string;
  constructor(value: unknown) {
    this.json = encodePhpJson(value);
  }

  get value(): unknown {
    return JSON.parse(this.json);
  }

  toJSON(): unknown {
    if (spliced === null) return this.value;
    spliced.push(this.json);
    return `\u0000EJ${NONCE}:${spliced.length - 1}\u0000`;
  }
}

/** JSON text as PHP's json_encode with JSON_HEX_TAG|JSON_HEX_AMP|JSON_HEX_APOS; `undefined` encodes as `null`. */
export function encodePhpJson(value: unknown): string {
  const outer = spliced;
  spliced = [];
  let json: string | undefined;
  let texts: string[];
  try {
    json = JSON.stringify(value);
  } finally {
    texts = spliced;
    spliced = outer;
  }
  if (json === undefined) return 'null';
  if (NEEDS_ESCAPE.test(json)) json = json.replace(ESCAPE_ALL, escapeChar);
  return texts.length === 0 ? json : json.replace(TOKEN, (_, index: string) => texts[Number(index)]!);
}

function listIndex(key: string | number): number {
  if (typeof key === 'number') return Number.isSafeInteger(key) && key >= 0 ? key : -1;
  return /^(?:0|[1-9][0-9]*)$/.test(key) && key.length < 16 ? Number(key) : -1;
}

/**
 * How PHP's json_encode prints an array: a JS array when the keys are exactly 0..n-1 in this order (number keys or
 * their decimal strings), `[]` when empty, otherwise a plain object (keys as strings; JS then orders integer-like
 * keys ascending). Not recursive. Used for batch results.
 */
export function toPhpList(
  map: Map<string | number, unknown> | Record<string, unknown>,
): unknown[] | Record<string, unknown> {
  const entries: [string | number, unknown][] = map instanceof Map ? [...map.entries()] : Object.entries(map);
  let isList = true;
  for (let i = 0; i < entries.length; i++) {
    if (listIndex(entries[i]![0]) !== i) {
      isList = false;
      break;
    }
  }
  if (isList) return entries.map((entry) => entry[1]);
  // Object.fromEntries defines own data properties, so a "__proto__" key cannot change the prototype.
  return Object.fromEntries(entries.map(([key, v]) => [String(key), v]));
}
