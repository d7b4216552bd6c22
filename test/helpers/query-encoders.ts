// How each client library turns a parameter tree into a query string (clients.md §2.3, §3.3, §4.3, §5.3, §6.3),
// re-implemented so tests can send the exact bytes those clients send.

import qs from 'qs';

type Pair = [key: string, value: string];

/** Flattens a tree into PHP bracket keys (`PARAMS[QUEUE][0][ENTITY_TYPE]`), in order; null/undefined dropped. */
export function flattenParams(value: unknown, prefix = ''): Pair[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    return entries.flatMap(([k, v]) => flattenParams(v, prefix ? `${prefix}[${k}]` : k));
  }
  if (typeof value === 'boolean') return [[prefix, value ? '1' : '0']];
  return [[prefix, String(value)]];
}

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** PHP urlencode: only alphanumerics and `-_.` stay; space is `+`. */
export function phpUrlencode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, hex)
    .replace(/%20/g, '+');
}

/** PHP http_build_query (CRest, b24phpsdk): keys and values urlencoded, brackets as %5B %5D. */
export function phpHttpBuildQuery(params: unknown): string {
  return flattenParams(params)
    .map(([k, v]) => `${phpUrlencode(k)}=${phpUrlencode(v)}`)
    .join('&');
}

/** Python urllib.parse.quote (safe '/') and quote_plus (safe ''). */
export function pyQuote(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, hex)
    .replace(/%2F/g, '/');
}
export function pyQuotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, hex)
    .replace(/%20/g, '+');
}

/** b24pysdk encode_params: raw bracket keys, quote_plus values. */
export function b24pysdkQuery(params: unknown): string {
  return flattenParams(params)
    .map(([k, v]) => `${k}=${pyQuotePlus(v)}`)
    .join('&');
}

/** fast_bitrix24 http_build_query: raw bracket keys, quote() values, a trailing `&`. */
export function fastBitrix24Query(params: unknown): string {
  return flattenParams(params)
    .map(([k, v]) => `${k}=${pyQuote(v)}&`)
    .join('');
}

/** b24jssdk: qs.stringify (brackets as %5B, space %20). */
export function b24jssdkQuery(params: unknown): string {
  return qs.stringify(params);
}
