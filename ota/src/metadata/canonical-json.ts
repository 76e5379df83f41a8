import { OtaErrors } from '../errors.js';

/**
 * Canonical JSON in the OLPC form that TUF signs (securesystemslib `encode_canonical`):
 * object keys sorted by code point, no insignificant whitespace, strings escape only `"` and `\`,
 * integers only (a float, NaN or Infinity is refused, as the reference encoder does),
 * no `undefined`. The output is what both signer and verifier hash, so it must be byte-exact.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  encode(value, parts, '$');
  return parts.join('');
}

export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

function encode(value: unknown, out: string[], where: string): void {
  if (value === null) { out.push('null'); return; }
  switch (typeof value) {
    case 'boolean': out.push(value ? 'true' : 'false'); return;
    case 'number':
      if (!Number.isSafeInteger(value)) throw OtaErrors.canonicalJson(where, `${value} is not a safe integer`);
      out.push(Object.is(value, -0) ? '0' : String(value));
      return;
    case 'string': out.push('"', value.replace(/["\\]/g, (c) => `\\${c}`), '"'); return;
    case 'object': break;
    default: throw OtaErrors.canonicalJson(where, `${typeof value} has no JSON form`);
  }
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      encode(item, out, `${where}[${i}]`);
    });
    out.push(']');
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw OtaErrors.canonicalJson(where, `${proto?.constructor?.name ?? 'object'} is not a plain object`);
  }
  const keys = Object.keys(value).sort(compareCodePoints);
  out.push('{');
  let first = true;
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) throw OtaErrors.canonicalJson(`${where}.${key}`, 'undefined has no JSON form');
    if (!first) out.push(',');
    first = false;
    encode(key, out, where);
    out.push(':');
    encode(item, out, `${where}.${key}`);
  }
  out.push('}');
}

/** Python sorts str keys by code point; JS's default sort uses UTF-16 units, which differs past U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done) return cb.done ? 0 : -1;
    if (cb.done) return 1;
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}
