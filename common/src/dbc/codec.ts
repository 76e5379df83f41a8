/**
 * Frame codec: turns a CAN payload into physical signal values and back, for one DBC message.
 *
 * compileMessageCodec precomputes, per signal, which payload bytes hold its bits (see layout.ts) and
 * generates a decode function specialised for the message: straight-line 32-bit integer arithmetic
 * per signal, one object literal for the result, a `switch` per multiplexer. Signals longer than 32
 * bits are read as two 32-bit halves combined in floating point (exact up to 2^53, correctly rounded
 * above, so 64-bit signals need no BigInt); float32/float64 signals reinterpret the bits through a
 * shared typed-array scratch. Payloads shorter than the message take a slower interpreted path that
 * decodes only the signals whose bytes all arrived.
 */
import { DbcErrors } from '../errors.js';
import { rawRange, signalLayout, type BitField, type SignalLayout } from './layout.js';
import type { DbcMessage, DbcSignal, SignalValues } from './types.js';

export interface MessageCodec {
  readonly message: DbcMessage;
  /**
   * Physical values (raw * factor + offset) of the usable signals; a multiplexed signal only when its
   * switch selects it. Extra payload bytes are ignored; when the payload is shorter than the message,
   * only the signals it fully contains are decoded.
   */
  decode(data: Uint8Array): SignalValues;
  /**
   * Builds a payload of `message.length` bytes from physical values. Signals not given take their raw
   * start value (GenSigStartValue), else raw 0. A multiplexer not given takes the value that selects
   * the multiplexed signals given. Throws RangeError when a value does not fit its signal or is given
   * for a multiplexed signal its switch does not select; AURIGA_ERR_DBC_UNKNOWN_SIGNAL /
   * AURIGA_ERR_DBC_UNUSABLE_SIGNAL for names the message cannot encode.
   */
  encode(values: SignalValues): Uint8Array;
}

export interface CompileMessageCodecOptions {
  /** Generate a specialised decode function (default true); false uses the interpreter, e.g. to cross-check. */
  specialize?: boolean;
}

interface SignalPlan {
  signal: DbcSignal;
  layout: SignalLayout;
  /** Switch values that select this signal (inclusive ranges); undefined for signals always present. */
  selectedBy?: Array<[number, number]>;
  /** Signals this one switches (when it is a multiplexer with usable dependants). */
  children: SignalPlan[];
  rawMin: number;
  rawMax: number;
  /** Raw value written when encode is not given one. */
  defaultRaw: number;
  /** physical = (raw * p + o) / q when factor and offset are short decimals (see decimalScaling). */
  scaling?: { p: number; o: number; q: number };
}

const TWO_32 = 4294967296;
// Scratch for reinterpreting bits as IEEE floats.
const scratch = new ArrayBuffer(8);
const U32 = new Uint32Array(scratch);
const F32 = new Float32Array(scratch);
const F64 = new Float64Array(scratch);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Indexes in U32 of a float64's low and high 32-bit words. */
const LO = LITTLE_ENDIAN_HOST ? 0 : 1;
const HI = LITTLE_ENDIAN_HOST ? 1 : 0;

export function compileMessageCodec(message: DbcMessage, options: CompileMessageCodecOptions = {}): MessageCodec {
  const roots = planSignals(message);
  const all = flatten(roots);
  const bytesNeeded = all.reduce((n, p) => Math.max(n, p.layout.bytesNeeded), 0);
  const interpret = (data: Uint8Array): SignalValues => {
    const out: SignalValues = {};
    decodeInterpreted(data, roots, out);
    return out;
  };
  let decode = interpret;
  if (options.specialize !== false) {
    try {
      decode = generateDecoder(roots, bytesNeeded, interpret);
    } catch {
      // code generation disallowed (e.g. --disallow-code-generation-from-strings): keep the interpreter
    }
  }
  // Built once: encode runs for every simulated frame.
  const known = new Map<string, SignalPlan>();
  for (const p of flatten(roots)) known.set(p.signal.name, p);
  return {
    message,
    decode,
    encode: (values) => encodeMessage(message, roots, known, values),
  };
}

// ---------------------------------------------------------------- plans

function planSignals(message: DbcMessage): SignalPlan[] {
  const byName = new Map<string, DbcSignal>();
  for (const s of message.signals) if (!byName.has(s.name)) byName.set(s.name, s);
  const defaultSwitch = message.multiplexer ?? message.signals.find((s) => s.isMultiplexer);
  const plans = new Map<DbcSignal, SignalPlan>();
  for (const signal of message.signals) {
    if (signal.unusable || byName.get(signal.name) !== signal) continue;
    const layout = signalLayout(signal, message.length);
    if ('problem' in layout) continue;
    const { min, max } = rawRange(signal);
    const start = signal.startValue;
    const startOk = start !== undefined && start >= min && start <= max && (signal.valueType !== 'integer' || Number.isInteger(start));
    const plan: SignalPlan = { signal, layout, children: [], rawMin: min, rawMax: max, defaultRaw: startOk ? start : 0 };
    if (signal.valueType === 'integer') {
      const scaling = decimalScaling(signal.factor, signal.offset, Math.max(-min, max));
      if (scaling) plan.scaling = scaling;
    }
    plans.set(signal, plan);
  }
  // Attach multiplexed signals to their switch; drop those whose switch chain is broken or loops.
  const switchOf = (s: DbcSignal): DbcSignal | undefined => {
    if (s.multiplexValue === undefined && s.multiplexRanges === undefined) return undefined;
    return byName.get(s.multiplexerName ?? defaultSwitch?.name ?? '');
  };
  const reachable = (s: DbcSignal): boolean => {
    const seen = new Set<DbcSignal>();
    for (let cur: DbcSignal | undefined = s; cur; ) {
      if (seen.has(cur) || !plans.has(cur)) return false;
      seen.add(cur);
      if (cur.multiplexValue === undefined && cur.multiplexRanges === undefined) return true;
      const sw = switchOf(cur);
      if (!sw || sw.valueType !== 'integer' || sw.length > 32) return false;
      cur = sw;
    }
    return false;
  };
  const roots: SignalPlan[] = [];
  for (const [signal, plan] of plans) {
    if (!reachable(signal)) continue;
    const sw = switchOf(signal);
    if (!sw) {
      roots.push(plan);
      continue;
    }
    plan.selectedBy = signal.multiplexRanges ?? [[signal.multiplexValue!, signal.multiplexValue!]];
    plans.get(sw)!.children.push(plan);
  }
  return roots;
}

/**
 * DBC factors and offsets are decimals (0.01, 0.4, -6.35). `raw * 0.01` rounds twice (0.01 is not a
 * double) and gives 52.300000000000004 for raw 5230; writing factor = p/q and offset = o/q with
 * q = 10^k and computing (raw * p + o) / q, all integers below 2^53, rounds once: the double nearest
 * to the exact physical value (52.3). Returns undefined when that is not possible.
 */
function decimalScaling(factor: number, offset: number, maxAbsRaw: number): { p: number; o: number; q: number } | undefined {
  if (factor === 1 && offset === 0) return undefined;
  const decimals = (x: number): number | undefined => {
    for (let k = 0; k <= 12; k++) if (Math.round(x * 10 ** k) / 10 ** k === x) return k;
    return undefined;
  };
  const kf = decimals(factor);
  const ko = decimals(offset);
  if (kf === undefined || ko === undefined) return undefined;
  const q = 10 ** Math.max(kf, ko);
  const p = Math.round(factor * q);
  const o = Math.round(offset * q);
  if (p / q !== factor || o / q !== offset || maxAbsRaw * Math.abs(p) + Math.abs(o) > Number.MAX_SAFE_INTEGER) return undefined;
  return { p, o, q };
}

function physical(plan: SignalPlan, raw: number): number {
  const s = plan.scaling;
  return s ? (raw * s.p + s.o) / s.q : raw * plan.signal.factor + plan.signal.offset;
}

function flatten(plans: SignalPlan[]): SignalPlan[] {
  return plans.flatMap((p) => [p, ...flatten(p.children)]);
}

function selects(ranges: Array<[number, number]>, value: number): boolean {
  for (const [low, high] of ranges) if (value >= low && value <= high) return true;
  return false;
}

// ---------------------------------------------------------------- decode: interpreter

function readField(data: Uint8Array, f: BitField): number {
  let acc = 0;
  for (let j = f.bytes.length - 1; j >= 0; j--) acc = acc * 256 + data[f.bytes[j]!]!;
  return Math.floor(acc / 2 ** f.shift) % 2 ** f.length;
}

/** Raw value: integer (signed when the signal is) or the float the bits encode. */
function readRaw(data: Uint8Array, plan: SignalPlan): number {
  const { signal, layout } = plan;
  const low = readField(data, layout.low);
  if (signal.valueType === 'float32') {
    U32[0] = low;
    return F32[0]!;
  }
  if (!layout.high) {
    return signal.signed && low >= 2 ** (signal.length - 1) ? low - 2 ** signal.length : low;
  }
  let high = readField(data, layout.high);
  if (signal.valueType === 'float64') {
    U32[LO] = low;
    U32[HI] = high;
    return F64[0]!;
  }
  const highBits = signal.length - 32;
  if (signal.signed && high >= 2 ** (highBits - 1)) high -= 2 ** highBits;
  return high * TWO_32 + low;
}

function decodeInterpreted(data: Uint8Array, plans: SignalPlan[], out: SignalValues): void {
  for (const plan of plans) {
    if (plan.layout.bytesNeeded > data.length) continue;
    const raw = readRaw(data, plan);
    out[plan.signal.name] = physical(plan, raw);
    if (plan.children.length > 0) {
      decodeInterpreted(data, plan.children.filter((c) => selects(c.selectedBy!, raw)), out);
    }
  }
}

// ---------------------------------------------------------------- decode: generated code

function num(n: number): string {
  return n < 0 || Object.is(n, -0) ? `(${n})` : String(n);
}

/** JS expression for a field's unsigned value (0 .. 2^length - 1) read from payload `d`. */
function fieldExpr(f: BitField): string {
  const { bytes, shift, length } = f;
  const parts = bytes.slice(0, 4).map((b, j) => (j === 0 ? `d[${b}]` : `(d[${b}] << ${8 * j})`));
  const word = parts.join(' | ');
  const mask = length === 32 ? '' : String(2 ** length - 1);
  if (bytes.length <= 3) {
    let e = bytes.length === 1 ? word : `(${word})`;
    if (shift > 0) e = `(${e} >>> ${shift})`;
    return length < 8 * bytes.length - shift ? `(${e} & ${mask})` : e;
  }
  if (bytes.length === 4) {
    if (length === 32) return `((${word}) >>> 0)`;
    const e = `((${word}) >>> ${shift})`;
    return length < 32 - shift ? `(${e} & ${mask})` : e;
  }
  // Five bytes: a field of up to 32 bits starting at bit shift >= 1 of the first byte.
  const e = `(((${word}) >>> ${shift}) | (d[${bytes[4]}] << ${32 - shift}))`;
  return length === 32 ? `(${e} >>> 0)` : `(${e} & ${mask})`;
}

function signExtend(expr: string, bits: number): string {
  return bits === 32 ? `(${expr} | 0)` : `((${expr} << ${32 - bits}) >> ${32 - bits})`;
}

function rawExpr(plan: SignalPlan): string {
  const { signal, layout } = plan;
  if (signal.valueType === 'float32') return `(U[0] = ${fieldExpr(layout.low)}, F32[0])`;
  if (signal.valueType === 'float64') return `(U[${LO}] = ${fieldExpr(layout.low)}, U[${HI}] = ${fieldExpr(layout.high!)}, F64[0])`;
  if (!layout.high) return signal.signed ? signExtend(fieldExpr(layout.low), signal.length) : fieldExpr(layout.low);
  const high = signal.signed ? signExtend(fieldExpr(layout.high), signal.length - 32) : fieldExpr(layout.high);
  return `(${high} * ${TWO_32} + ${fieldExpr(layout.low)})`;
}

function physicalExpr(plan: SignalPlan, raw: string): string {
  const { signal, scaling } = plan;
  let e = raw;
  if (scaling) {
    if (scaling.p !== 1) e = `${e} * ${num(scaling.p)}`;
    if (scaling.o !== 0) e = `${e} + ${num(scaling.o)}`;
    return scaling.q === 1 ? e : `(${e}) / ${scaling.q}`;
  }
  if (signal.factor !== 1) e = `${e} * ${num(signal.factor)}`;
  if (signal.offset !== 0) e = `${e} + ${num(signal.offset)}`;
  return e;
}

function key(name: string): string {
  return name === '__proto__' ? `["__proto__"]` : JSON.stringify(name);
}

function generateDecoder(
  roots: SignalPlan[],
  bytesNeeded: number,
  shortPayload: (data: Uint8Array) => SignalValues,
): (data: Uint8Array) => SignalValues {
  let counter = 0;
  const lines: string[] = [`if (d.length < ${bytesNeeded}) return short(d);`];
  // Switch raw values go into locals first: the result literal and the branches both use them.
  const switchVar = new Map<SignalPlan, string>();
  for (const plan of roots) {
    if (plan.children.length === 0) continue;
    const v = `s${counter++}`;
    switchVar.set(plan, v);
    lines.push(`const ${v} = ${rawExpr(plan)};`);
  }
  const fields = roots.map((plan) => `${key(plan.signal.name)}: ${physicalExpr(plan, switchVar.get(plan) ?? rawExpr(plan))}`);
  lines.push(`const r = {${fields.join(', ')}};`);

  const emitChildren = (sw: SignalPlan, v: string, indent: string, out: string[]): void => {
    // Group by selecting ranges: single values become switch cases, real ranges become ifs.
    const groups = new Map<string, SignalPlan[]>();
    for (const child of sw.children) {
      const k = JSON.stringify(child.selectedBy);
      groups.set(k, [...(groups.get(k) ?? []), child]);
    }
    const emitGroup = (members: SignalPlan[], inner: string, into: string[]) => {
      for (const child of members) {
        const target = `r[${key(child.signal.name)}]`;
        if (child.children.length === 0) {
          into.push(`${inner}${target} = ${physicalExpr(child, rawExpr(child))};`);
          continue;
        }
        const cv = `s${counter++}`;
        into.push(`${inner}const ${cv} = ${rawExpr(child)};`, `${inner}${target} = ${physicalExpr(child, cv)};`);
        emitChildren(child, cv, inner, into);
      }
    };
    const cases: string[] = [];
    for (const members of groups.values()) {
      const ranges = members[0]!.selectedBy!;
      if (ranges.length === 1 && ranges[0]![0] === ranges[0]![1]) {
        cases.push(`${indent}  case ${ranges[0]![0]}: {`);
        emitGroup(members, `${indent}    `, cases);
        cases.push(`${indent}    break;`, `${indent}  }`);
      } else {
        const cond = ranges.map(([lo, hi]) => (lo === hi ? `${v} === ${lo}` : `(${v} >= ${lo} && ${v} <= ${hi})`)).join(' || ');
        out.push(`${indent}if (${cond}) {`);
        emitGroup(members, `${indent}  `, out);
        out.push(`${indent}}`);
      }
    }
    if (cases.length > 0) out.push(`${indent}switch (${v}) {`, ...cases, `${indent}}`);
  };
  for (const plan of roots) {
    const v = switchVar.get(plan);
    if (v) emitChildren(plan, v, '', lines);
  }
  lines.push('return r;');
  const body = `"use strict";\nreturn function decode(d) {\n${lines.join('\n')}\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('U', 'F32', 'F64', 'short', body)(U32, F32, F64, shortPayload) as (data: Uint8Array) => SignalValues;
}

// ---------------------------------------------------------------- encode

function describeRange(plan: SignalPlan): string {
  const { signal } = plan;
  if (signal.valueType !== 'integer') return `an IEEE ${signal.valueType}`;
  const a = plan.rawMin * signal.factor + signal.offset;
  const b = plan.rawMax * signal.factor + signal.offset;
  return `physical ${Math.min(a, b)}..${Math.max(a, b)} (raw ${plan.rawMin}..${plan.rawMax}, ${signal.length}-bit ${
    signal.signed ? 'signed' : 'unsigned'})`;
}

function toRaw(message: DbcMessage, plan: SignalPlan, value: number): number {
  const { signal } = plan;
  const where = `${message.name}.${signal.name}`;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new RangeError(`${where}: ${String(value)} is not a number`);
  if (signal.valueType !== 'integer') {
    const raw = (value - signal.offset) / signal.factor;
    if (signal.valueType === 'float32' && Number.isFinite(raw) && !Number.isFinite(Math.fround(raw))) {
      throw new RangeError(`${where}: ${value} does not fit a float32`);
    }
    return raw;
  }
  const raw = Math.round((value - signal.offset) / signal.factor);
  if (!Number.isFinite(raw) || raw < plan.rawMin || raw > plan.rawMax) {
    throw new RangeError(`${where}: ${value} does not fit the signal, which holds ${describeRange(plan)}`);
  }
  return raw;
}

function writeField(out: Uint8Array, f: BitField, value: number): void {
  // Place the field at bit `shift` of its first byte, then copy each byte's share under its mask.
  const placed = value * 2 ** f.shift;
  const fieldMask = (2 ** f.length - 1) * 2 ** f.shift;
  for (let j = 0; j < f.bytes.length; j++) {
    const div = 2 ** (8 * j);
    const mask = Math.floor(fieldMask / div) % 256;
    const bits = Math.floor(placed / div) % 256;
    const b = f.bytes[j]!;
    out[b] = (out[b]! & ~mask) | (bits & mask);
  }
}

function writeRaw(out: Uint8Array, plan: SignalPlan, raw: number): void {
  const { signal, layout } = plan;
  if (signal.valueType === 'float32') {
    F32[0] = raw;
    writeField(out, layout.low, U32[0]!);
    return;
  }
  if (signal.valueType === 'float64') {
    F64[0] = raw;
    const low = U32[LO]!;
    const high = U32[HI]!;
    writeField(out, layout.low, low);
    writeField(out, layout.high!, high);
    return;
  }
  if (!layout.high) {
    writeField(out, layout.low, raw < 0 ? raw + 2 ** signal.length : raw);
    return;
  }
  const highBits = signal.length - 32;
  const modulus = 2 ** highBits;
  let high: number;
  let low: number;
  if (raw >= plan.rawMax) {
    // Above 2^53 the largest raw value (2^n - 1) is not a double; it rounds to 2^n: write all ones.
    high = signal.signed ? modulus / 2 - 1 : modulus - 1;
    low = TWO_32 - 1;
  } else {
    high = Math.floor(raw / TWO_32);
    low = raw - high * TWO_32;
    high = ((high % modulus) + modulus) % modulus; // two's complement of negative values
  }
  writeField(out, layout.low, low);
  writeField(out, layout.high!, high);
}

function encodeMessage(
  message: DbcMessage,
  roots: SignalPlan[],
  known: ReadonlyMap<string, SignalPlan>,
  values: SignalValues,
): Uint8Array {
  const out = new Uint8Array(message.length);
  for (const name of Object.keys(values)) {
    if (known.has(name)) continue;
    const signal = message.signals.find((s) => s.name === name);
    if (!signal) throw DbcErrors.unknownSignal(message.name, name, message.signals.map((s) => s.name));
    throw DbcErrors.unusableSignal(message.name, name, signal.unusable ?? 'its multiplexer switch cannot be used');
  }
  const written = new Set<string>();
  const encodeLevel = (plans: SignalPlan[]): void => {
    for (const plan of plans) {
      const name = plan.signal.name;
      const given = Object.hasOwn(values, name);
      let raw: number;
      if (given) {
        raw = toRaw(message, plan, values[name]!);
      } else if (plan.children.length > 0) {
        raw = inferSwitch(message, plan, values) ?? plan.defaultRaw;
      } else {
        raw = plan.defaultRaw;
      }
      writeRaw(out, plan, raw);
      written.add(name);
      if (plan.children.length > 0) encodeLevel(plan.children.filter((c) => selects(c.selectedBy!, raw)));
    }
  };
  encodeLevel(roots);
  for (const name of Object.keys(values)) {
    if (written.has(name)) continue;
    const plan = known.get(name)!;
    const sw = plan.signal.multiplexerName ?? message.multiplexer?.name ?? '?';
    throw new RangeError(
      `${message.name}.${name} is only sent when ${sw} is ${plan.selectedBy!.map(([a, b]) => (a === b ? a : `${a}..${b}`)).join(' or ')}, ` +
        `and the values given select another ${sw}`,
    );
  }
  return out;
}

/** The switch value selecting the multiplexed signals given, if any; RangeError when they disagree. */
function inferSwitch(message: DbcMessage, sw: SignalPlan, values: SignalValues): number | undefined {
  const given = sw.children.filter((c) => Object.hasOwn(values, c.signal.name) || hasGivenDescendant(c, values));
  if (given.length === 0) return undefined;
  const value = given[0]!.selectedBy![0]![0];
  const conflict = given.find((c) => !selects(c.selectedBy!, value));
  if (conflict) {
    throw new RangeError(
      `${message.name}: ${given[0]!.signal.name} and ${conflict.signal.name} are selected by different values of ${sw.signal.name}; ` +
        'encode them in separate frames',
    );
  }
  return value;
}

function hasGivenDescendant(plan: SignalPlan, values: SignalValues): boolean {
  return plan.children.some((c) => Object.hasOwn(values, c.signal.name) || hasGivenDescendant(c, values));
}
