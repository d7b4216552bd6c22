// PHP's http_build_query($body, '', '&'), as Bitrix24 encodes an event POST (runtime-connectors.md §12.3): nested
// keys in bracket syntax with explicit list indexes, brackets percent-encoded, null values and empty arrays
// dropped, booleans as 1/0, every value a string, spaces as `+` (RFC 1738), insertion order.

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** PHP urlencode: only alphanumerics and `-_.` stay as they are; a space is `+`. */
export function phpUrlencode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, hex)
    .replace(/%20/g, '+');
}

function pairs(value: unknown, prefix: string, out: [string, string][]): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [key, item] of entries) pairs(item, prefix === '' ? key : `${prefix}[${key}]`, out);
    return;
  }
  if (typeof value === 'boolean') out.push([prefix, value ? '1' : '0']);
  else out.push([prefix, String(value)]);
}

/** The form body for a top-level object. */
export function httpBuildQuery(body: Record<string, unknown>): string {
  const out: [string, string][] = [];
  pairs(body, '', out);
  return out.map(([k, v]) => `${phpUrlencode(k)}=${phpUrlencode(v)}`).join('&');
}
