import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { MappingErrors, type AurigaError } from '../errors.js';
import type { Dbc, DbcMessage, DbcSignal } from '../dbc/types.js';
import type { SignalSpec, SignalValue } from '../catalog/types.js';
import { isIntegerType, isNumericType, type SignalCatalog } from '../catalog/catalog.js';
import type { MappingEntry, VssMapping } from './types.js';
import { compileExpression, ExpressionSyntaxError, type Expression } from './expression.js';
import { physicalOf, rawFor, tidyFloat } from './signal-values.js';

/**
 * Compiles a DBC <-> VSS mapping file (YAML, in the spirit of Eclipse Kuksa dbc2val's vss_dbc.json)
 * against a parsed DBC and the signal catalog. Every problem is collected with its line and reported
 * at once as AURIGA_ERR_MAPPING_INVALID. The format is documented in docs/integrators/vss-mapping.md.
 */

export interface MappingIssue {
  line: number;
  message: string;
}

export type MappingInvalidError = AurigaError & { issues: readonly MappingIssue[] };

interface SignalRef {
  message: DbcMessage;
  signal: DbcSignal;
}

type ParsedTransform =
  | { kind: 'math'; fn: Expression }
  | { kind: 'mapping'; pairs: { from: unknown; to: unknown; node: Node }[] };

interface ParsedBlock {
  ref: SignalRef;
  transform?: ParsedTransform;
  node: Node;
}

const ENTRY_KEYS = ['dbc2vss', 'vss2dbc', 'value'];
const BLOCK_KEYS = ['signal', 'message', 'transform'];

/** Entries to keep going after a problem: each check adds an issue and returns undefined. */
class Issues {
  readonly list: MappingIssue[] = [];
  constructor(private readonly lines: LineCounter) {}

  lineOf(node: Node | Pair | null | undefined): number {
    const n = node && 'range' in node ? node : (node as Pair | undefined)?.key as Node | undefined;
    const offset = n?.range?.[0];
    return offset === undefined ? 1 : this.lines.linePos(offset).line;
  }

  add(at: Node | Pair | null | undefined | number, message: string): undefined {
    this.list.push({ line: typeof at === 'number' ? at : this.lineOf(at), message });
    return undefined;
  }
}

function fmt(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function pairKey(pair: Pair): string | undefined {
  return isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : undefined;
}

function mapEntries(map: YAMLMap): { key: string | undefined; pair: Pair }[] {
  return map.items.map((pair) => ({ key: pairKey(pair as Pair), pair: pair as Pair }));
}

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : node === null || node === undefined ? null : Symbol.for('not-a-scalar');
}

/** Levenshtein distance, for "did you mean" hints on mistyped VSS paths and signal names. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function suggestion(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean ${best}?)` : '';
}

export function compileMapping(yamlText: string, dbc: Dbc, catalog: SignalCatalog, fileName = 'vss-mapping.yaml'): VssMapping {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues = new Issues(lineCounter);
  const failure = (): MappingInvalidError =>
    Object.assign(MappingErrors.invalid(fileName, issues.list), { issues: issues.list });

  for (const err of doc.errors) issues.add(lineCounter.linePos(err.pos[0]).line, `YAML syntax: ${err.message.split('\n')[0]}`);
  if (issues.list.length > 0) throw failure();

  const root = doc.contents;
  if (!isMap(root) || root.items.length === 0) {
    issues.add(root, 'the mapping must be a YAML map of VSS paths to entries (dbc2vss / vss2dbc / value)');
    throw failure();
  }

  const signalsByName = new Map<string, SignalRef[]>();
  const messagesByName = new Map<string, DbcMessage>();
  for (const message of dbc.messages) {
    if (!messagesByName.has(message.name)) messagesByName.set(message.name, message);
    for (const signal of message.signals) {
      const list = signalsByName.get(signal.name) ?? [];
      list.push({ message, signal });
      signalsByName.set(signal.name, list);
    }
  }

  const resolveBlock = (where: string, pair: Pair): ParsedBlock | undefined => {
    const node = pair.value as Node | null;
    if (!isMap(node)) return issues.add(pair, `${where} must be a map with signal, optional message and optional transform`);
    let signalName: string | undefined;
    let messageName: string | undefined;
    let transformNode: Node | undefined;
    let ok = true;
    for (const { key, pair } of mapEntries(node)) {
      const value = scalarValue(pair.value);
      if (key === 'signal' || key === 'message') {
        if (typeof value !== 'string' || value === '') { issues.add(pair, `${where}.${key} must be a name`); ok = false; continue; }
        if (key === 'signal') signalName = value; else messageName = value;
      } else if (key === 'transform') {
        transformNode = pair.value as Node;
      } else {
        issues.add(pair, `${where} has an unknown key ${fmt(key ?? pair.key)} (allowed: ${BLOCK_KEYS.join(', ')})`);
        ok = false;
      }
    }
    if (signalName === undefined) {
      if (ok) issues.add(node, `${where} needs a signal`);
      return undefined;
    }
    const signalNode = node.get('signal', true) as Node | undefined;
    let ref: SignalRef | undefined;
    if (messageName !== undefined) {
      const message = messagesByName.get(messageName);
      if (!message) return issues.add(node.get('message', true) as Node, `unknown DBC message ${messageName}${suggestion(messageName, messagesByName.keys())}`);
      const signal = message.signals.find((s) => s.name === signalName);
      if (!signal) {
        return issues.add(signalNode, `DBC message ${messageName} has no signal ${signalName}${
          suggestion(signalName, message.signals.map((s) => s.name))}`);
      }
      ref = { message, signal };
    } else {
      const candidates = signalsByName.get(signalName) ?? [];
      if (candidates.length === 0) return issues.add(signalNode, `unknown DBC signal ${signalName}${suggestion(signalName, signalsByName.keys())}`);
      if (candidates.length > 1) {
        return issues.add(signalNode, `DBC signal ${signalName} is ambiguous: it is in messages ${
          candidates.map((c) => c.message.name).join(', ')}; add message: to choose one`);
      }
      ref = candidates[0]!;
    }
    if (ref.signal.unusable) return issues.add(signalNode, `DBC signal ${ref.message.name}.${ref.signal.name} is unusable: ${ref.signal.unusable}`);
    if (!ok) return undefined;
    if (transformNode === undefined || transformNode === null || scalarValue(transformNode) === null) return { ref, node };
    const transform = parseTransform(where, transformNode);
    return transform ? { ref, transform, node } : undefined;
  };

  const parseTransform = (where: string, node: Node): ParsedTransform | undefined => {
    if (!isMap(node)) return issues.add(node, `${where}.transform must be a map with either math or mapping`);
    const keys = mapEntries(node);
    if (keys.length !== 1 || (keys[0]!.key !== 'math' && keys[0]!.key !== 'mapping')) {
      return issues.add(node, `${where}.transform must have exactly one of math or mapping`);
    }
    const { key, pair } = keys[0]!;
    if (key === 'math') {
      const text = scalarValue(pair.value);
      if (typeof text !== 'string' && typeof text !== 'number') return issues.add(pair, `${where}.transform.math must be an expression of x, e.g. "x * 1000"`);
      try {
        return { kind: 'math', fn: compileExpression(String(text)) };
      } catch (err) {
        if (err instanceof ExpressionSyntaxError) {
          return issues.add(pair.value as Node, `${where}.transform.math ${fmt(String(text))}: ${err.message}`);
        }
        throw err;
      }
    }
    if (!isSeq(pair.value) || pair.value.items.length === 0) {
      return issues.add(pair, `${where}.transform.mapping must be a non-empty list of {from, to}`);
    }
    const pairs: { from: unknown; to: unknown; node: Node }[] = [];
    let ok = true;
    for (const item of pair.value.items as Node[]) {
      if (!isMap(item)) { issues.add(item, `${where}.transform.mapping items must be {from: ..., to: ...}`); ok = false; continue; }
      const itemKeys = mapEntries(item).map((e) => e.key);
      if (!item.has('from') || !item.has('to') || itemKeys.length !== 2) {
        issues.add(item, `${where}.transform.mapping items must have exactly from and to`);
        ok = false;
        continue;
      }
      pairs.push({ from: scalarValue(item.get('from', true)), to: scalarValue(item.get('to', true)), node: item });
    }
    return ok ? { kind: 'mapping', pairs } : undefined;
  };

  /** Checks a VSS-side value from the file against the catalog; reports and returns false when wrong. */
  const checkVssValue = (spec: SignalSpec, value: unknown, node: Node, what: string): value is SignalValue => {
    const reason = catalog.checkValue(spec.path, value);
    if (reason) issues.add(node, `${what}: ${reason}`);
    return reason === undefined;
  };

  /** Checks a DBC-side physical value from the file; returns the raw value it encodes, or undefined. */
  const checkDbcValue = (ref: SignalRef, value: unknown, node: Node, what: string): number | undefined => {
    if (typeof value !== 'number') return issues.add(node, `${what}: DBC values are numbers, got ${fmt(value)}`);
    const raw = rawFor(ref.signal, value, false);
    if (typeof raw === 'string') return issues.add(node, `${what}: ${raw}`);
    return raw;
  };

  const buildRead = (spec: SignalSpec, block: ParsedBlock): MappingEntry['read'] => {
    const { ref, transform } = block;
    const where = `${spec.path} dbc2vss`;
    const finish = finisher(spec);
    // Enumerations are looked up by raw value, so float noise in physical values cannot miss a key.
    const rawOf = (physical: number): number => {
      const raw = (physical - ref.signal.offset) / ref.signal.factor;
      return ref.signal.valueType === 'integer' ? Math.round(raw) : raw;
    };

    if (transform?.kind === 'mapping') {
      const byRaw = new Map<number, SignalValue | undefined>();
      let ok = true;
      for (const { from, to, node } of transform.pairs) {
        const raw = checkDbcValue(ref, from, node, `${where} mapping from`);
        if (raw === undefined) { ok = false; continue; }
        if (byRaw.has(raw)) { issues.add(node, `${where} maps DBC value ${fmt(from)} twice`); ok = false; continue; }
        if (to !== null && !checkVssValue(spec, to, node, `${where} mapping to`)) { ok = false; continue; }
        byRaw.set(raw, to === null ? undefined : to as SignalValue);
      }
      if (!ok) return undefined;
      return { ...ref, toVss: (physical) => byRaw.get(rawOf(physical)) };
    }
    if (transform?.kind === 'math') {
      if (!isNumericType(spec.datatype)) {
        return issues.add(block.node, `${where}: math transforms need a numeric VSS type, ${spec.path} is ${spec.datatype}; use mapping`);
      }
      const fn = transform.fn;
      return { ...ref, toVss: (physical) => finish(fn(physical)) };
    }
    // Defaults: booleans from 0 / non-zero, enums from the VAL_ labels, numbers as they are.
    if (spec.datatype === 'boolean') return { ...ref, toVss: (physical) => physical !== 0 };
    if (spec.datatype === 'string') {
      const byRaw = enumFromChoices(spec, ref.signal);
      if (byRaw.size === 0) {
        return issues.add(block.node, `${where}: ${spec.path} is a string enumeration but DBC signal ${ref.signal.name} has no VAL_ label among ${
          spec.allowed?.join(', ') ?? 'its values'}; add transform.mapping`);
      }
      return { ...ref, toVss: (physical) => byRaw.get(rawOf(physical)) };
    }
    return { ...ref, toVss: (physical) => finish(physical) };
  };

  const buildWrite = (spec: SignalSpec, block: ParsedBlock, read: ParsedBlock | undefined): MappingEntry['write'] => {
    const { ref, transform } = block;
    const where = `${spec.path} vss2dbc`;
    const noRequestRaw = noRequestValue(ref.signal);
    let convert: ((value: SignalValue) => number | undefined) | undefined;

    if (transform?.kind === 'mapping') {
      const byValue = new Map<SignalValue, number>();
      let ok = true;
      for (const { from, to, node } of transform.pairs) {
        if (!checkVssValue(spec, from, node, `${where} mapping from`)) { ok = false; continue; }
        if (byValue.has(from)) { issues.add(node, `${where} maps VSS value ${fmt(from)} twice`); ok = false; continue; }
        if (checkDbcValue(ref, to, node, `${where} mapping to`) === undefined) { ok = false; continue; }
        byValue.set(from, to as number);
      }
      if (!ok) return undefined;
      convert = (value) => byValue.get(value);
    } else if (transform?.kind === 'math') {
      if (!isNumericType(spec.datatype)) {
        return issues.add(block.node, `${where}: math transforms need a numeric VSS type, ${spec.path} is ${spec.datatype}; use mapping`);
      }
      const fn = transform.fn;
      convert = (value) => fn(value as number);
    } else if (read?.transform?.kind === 'mapping') {
      // The inverse of the read mapping: the same physical DBC value, now on the request signal.
      const byValue = new Map<SignalValue, number>();
      for (const { from, to, node } of read.transform.pairs) {
        if (to === null || byValue.has(to as SignalValue)) continue;
        const fits = rawFor(ref.signal, from as number, false);
        if (typeof fits === 'string') {
          issues.add(node, `${where}: the inverse of dbc2vss would request ${fmt(to)} as ${fmt(from)}, but ${fits}; give vss2dbc.transform`);
          return undefined;
        }
        byValue.set(to as SignalValue, from as number);
      }
      convert = (value) => byValue.get(value);
    } else if (read?.transform?.kind === 'math') {
      return issues.add(block.node, `${where} needs a transform: dbc2vss uses math, which cannot be inverted automatically`);
    } else if (spec.datatype === 'boolean') {
      convert = (value) => physicalOf(ref.signal, value ? 1 : 0);
    } else if (spec.datatype === 'string') {
      const byValue = new Map<SignalValue, number>();
      for (const [raw, label] of enumFromChoices(spec, ref.signal)) byValue.set(label, physicalOf(ref.signal, raw));
      if (byValue.size === 0) {
        return issues.add(block.node, `${where}: ${spec.path} is a string enumeration but DBC signal ${ref.signal.name} has no VAL_ label among ${
          spec.allowed?.join(', ') ?? 'its values'}; add transform.mapping`);
      }
      convert = (value) => byValue.get(value);
    } else {
      convert = (value) => value as number;
    }

    const toDbc = (value: SignalValue): number => {
      const reason = catalog.checkValue(spec.path, value);
      if (reason) throw new RangeError(reason);
      const physical = convert!(value);
      if (physical === undefined) throw new RangeError(`${spec.path}: ${fmt(value)} has no equivalent on DBC signal ${ref.signal.name}`);
      const raw = rawFor(ref.signal, physical, true);
      if (typeof raw === 'string') throw new RangeError(`${spec.path}: ${fmt(value)} cannot be requested: ${raw}`);
      if (raw === noRequestRaw) {
        throw new RangeError(`${spec.path}: ${fmt(value)} would encode the NoRequest value of ${ref.signal.name}`);
      }
      return ref.signal.valueType === 'integer' ? tidyFloat(physicalOf(ref.signal, raw)) : physical;
    };

    // Every value the catalog allows at the edges must be requestable, else the file is wrong.
    const probes: SignalValue[] = spec.datatype === 'boolean' ? [false, true]
      : isNumericType(spec.datatype) ? [spec.min, spec.max].filter((v): v is number => v !== undefined)
      : [];
    for (const probe of probes) {
      try {
        toDbc(probe);
      } catch (err) {
        return issues.add(block.node, `${where} cannot encode ${fmt(probe)}: ${(err as Error).message}`);
      }
    }
    return { ...ref, toDbc };
  };

  const entries: MappingEntry[] = [];
  for (const { key: path, pair } of mapEntries(root)) {
    if (path === undefined) { issues.add(pair, 'keys must be VSS paths'); continue; }
    const spec = catalog.get(path);
    if (!spec) {
      const below = catalog.subtree(path).length;
      issues.add(pair, below > 0
        ? `${path} is a branch, not a signal; map its signals one by one`
        : `unknown VSS path ${path}${suggestion(path, catalog.signals.map((s) => s.path))}`);
      continue;
    }
    const body = pair.value as Node | null;
    if (!isMap(body)) { issues.add(pair, `${path} must map to dbc2vss / vss2dbc / value`); continue; }
    let bad = false;
    for (const { key, pair: inner } of mapEntries(body)) {
      if (key === undefined || !ENTRY_KEYS.includes(key)) {
        issues.add(inner, `${path} has an unknown key ${fmt(key ?? inner.key)} (allowed: ${ENTRY_KEYS.join(', ')})`);
        bad = true;
      }
    }
    if (bad) continue;
    const pairs = new Map(mapEntries(body).map(({ key, pair: p }) => [key, p] as const));
    const writePair = pairs.get('vss2dbc');
    const valuePair = pairs.get('value');

    if (valuePair) {
      const valueNode = valuePair.value as Node;
      if (spec.kind !== 'attribute') { issues.add(valuePair, `${path} is a ${spec.kind}; value: is only for attributes`); continue; }
      if (pairs.has('dbc2vss') || writePair) { issues.add(valuePair, `${path}: give either value: or dbc2vss, not both`); continue; }
      const value = scalarValue(valueNode);
      if (!checkVssValue(spec, value, valueNode, `${path} value`)) continue;
      entries.push({ path, spec, value });
      continue;
    }
    if (writePair && spec.kind !== 'actuator') { issues.add(writePair, `${path} is a ${spec.kind}; only actuators have vss2dbc`); continue; }
    if (!pairs.has('dbc2vss')) {
      issues.add(pair, spec.kind === 'attribute' ? `${path} needs dbc2vss or value:` : `${path} needs dbc2vss (how its state is read from the bus)`);
      continue;
    }
    if (spec.kind === 'actuator' && !writePair) { issues.add(pair, `${path} is an actuator and needs vss2dbc (how it is requested)`); continue; }

    const readBlock = resolveBlock(`${path} dbc2vss`, pairs.get('dbc2vss')!);
    const read = readBlock && buildRead(spec, readBlock);
    let write: MappingEntry['write'];
    if (writePair) {
      const writeBlock = resolveBlock(`${path} vss2dbc`, writePair);
      write = writeBlock && readBlock && read ? buildWrite(spec, writeBlock, readBlock) : undefined;
    }
    if (read) entries.push(write ? { path, spec, read, write } : { path, spec, read });
  }

  if (issues.list.length > 0) throw failure();

  const byPath = new Map(entries.map((e) => [e.path, e] as const));
  const byMessage = new Map<string, MappingEntry[]>();
  for (const entry of entries) {
    if (!entry.read) continue;
    const list = byMessage.get(entry.read.message.name) ?? [];
    list.push(entry);
    byMessage.set(entry.read.message.name, list);
  }
  return { entries, byPath, byMessage };
}

/** Post-processing of numbers read from the bus: integers for integer VSS types, no float noise. */
function finisher(spec: SignalSpec): (v: number) => number | undefined {
  const integer = isIntegerType(spec.datatype);
  return (v) => {
    if (!Number.isFinite(v)) return undefined;
    return integer ? Math.round(v) : tidyFloat(v);
  };
}

/** raw -> VSS value for the VAL_ labels of `signal` that are allowed values of `spec`. */
function enumFromChoices(spec: SignalSpec, signal: DbcSignal): Map<number, string> {
  const result = new Map<number, string>();
  for (const [raw, label] of signal.choices ?? []) {
    if (spec.allowed?.includes(label) ?? true) result.set(raw, label);
  }
  return result;
}

/** The raw value a request signal labels NoRequest in its VAL_ table (the "no request" convention). */
function noRequestValue(signal: DbcSignal): number | undefined {
  for (const [raw, label] of signal.choices ?? []) {
    if (/^no[ _-]?request$/i.test(label)) return raw;
  }
  return undefined;
}
