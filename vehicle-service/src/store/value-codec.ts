import type { SignalValue } from '@auriga/common';

/** How a signal value is stored: a type tag plus the value SQLite keeps as INTEGER/REAL/TEXT (see migrations.ts). */
export type ValueKind = 0 | 1 | 2;
export const KIND_NUMBER: ValueKind = 0;
export const KIND_BOOLEAN: ValueKind = 1;
export const KIND_STRING: ValueKind = 2;

/** Returns undefined for what cannot be stored faithfully (NaN would come back as NULL). */
export function encodeValue(value: SignalValue): { kind: ValueKind; value: number | string } | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isNaN(value) ? undefined : { kind: KIND_NUMBER, value };
    case 'boolean':
      return { kind: KIND_BOOLEAN, value: value ? 1 : 0 };
    case 'string':
      return { kind: KIND_STRING, value };
    default:
      return undefined;
  }
}

export function decodeValue(kind: number, raw: number | string): SignalValue {
  if (kind === KIND_BOOLEAN) return raw === 1 || raw === '1';
  if (kind === KIND_STRING) return String(raw);
  return typeof raw === 'number' ? raw : Number(raw);
}

/**
 * JSON for a column, never throwing (circular data, BigInt): a write must not fail because of
 * what a caller attached. Over `maxChars` the text is replaced by a marker saying so.
 */
export function toJsonColumn(data: unknown, maxChars: number): string | null {
  if (data === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (err) {
    return JSON.stringify({ unserializable: err instanceof Error ? err.message : String(err) });
  }
  if (text === undefined) return null; // functions, symbols
  if (text.length > maxChars) return JSON.stringify({ truncated: true, chars: text.length });
  return text;
}

export function fromJsonColumn(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
