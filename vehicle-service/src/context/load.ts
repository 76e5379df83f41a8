/**
 * Loading a context file: Auriga's format (`context: { intents: ... }`) or Picovoice Rhino's
 * (`context: { expressions: ... }`), told apart by their keys. Everything is validated here, so a
 * definition that loads always compiles; every problem is an AURIGA_ERR_CONTEXT_INVALID error whose
 * message starts with `file:line:column:`.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { contextError, ContextNotFoundError, type ContextErrorLocation } from './errors.js';
import { ExpressionSyntaxError, parseExpression, type RawNode } from './expression.js';
import { isValidWord } from './normalize.js';
import { MAX_SLOT_NUMBER } from './numbers.js';
import type {
  ContextDefinition,
  ContextFormat,
  ExpressionDefinition,
  ExpressionNode,
  IntentDefinition,
  ListSlotType,
  NumberKind,
  NumberSlotType,
  SlotType,
  SlotValue,
} from './types.js';

/** Rhino's numeric built-in slot types, available in both formats. */
export const BUILTIN_SLOT_TYPES: Readonly<Record<string, NumberSlotType>> = Object.freeze({
  'pv.SingleDigitInteger': builtin('pv.SingleDigitInteger', 'integer', 0, 9),
  'pv.TwoDigitInteger': builtin('pv.TwoDigitInteger', 'integer', 0, 99),
  'pv.Percent': builtin('pv.Percent', 'percent', 0, 100),
  'pv.SingleDigitOrdinal': builtin('pv.SingleDigitOrdinal', 'ordinal', 1, 9),
  'pv.TwoDigitOrdinal': builtin('pv.TwoDigitOrdinal', 'ordinal', 1, 99),
});
const UNSUPPORTED_BUILTINS = new Set(['pv.Alphabetic', 'pv.Alphanumeric']);

function builtin(name: string, numberKind: NumberKind, min: number, max: number): NumberSlotType {
  return { kind: 'number', name, numberKind, min, max, halves: false, builtin: true };
}

const NUMBER_KINDS: readonly NumberKind[] = ['integer', 'percent', 'ordinal', 'temperature'];
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const LANGUAGE_RE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;
const AURIGA_KEYS = new Set(['name', 'language', 'intents', 'slots', 'numbers', 'macros']);
const RHINO_KEYS = new Set(['expressions', 'slots', 'macros']);

export interface ParseContextOptions {
  /** Shown in error messages; its base name is the context name when the file gives none. */
  readonly fileName?: string;
}

/** Parse and validate a context (either format). Throws AURIGA_ERR_CONTEXT_INVALID. */
export function parseContext(text: string, options: ParseContextOptions = {}): ContextDefinition {
  return new ContextLoader(text, options.fileName ?? '<context>').load();
}

/** Read and parse a context file. Throws AURIGA_ERR_CONTEXT_NOT_FOUND or AURIGA_ERR_CONTEXT_INVALID. */
export async function loadContextFile(path: string): Promise<ContextDefinition> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw ContextNotFoundError(path, (cause as Error).message, { cause });
  }
  return parseContext(text, { fileName: path });
}

/** How a slot value is given: a phrase, or `{ value, synonyms | phrases, number }`. */
export type SlotValueInput =
  | string
  | { readonly value: string; readonly synonyms?: readonly string[]; readonly phrases?: readonly string[]; readonly number?: number };

/**
 * A copy of `definition` whose list slot type `slotType` has new values: the user's phone book for
 * `contact`, their saved places for `place`. Values are validated like the file's.
 */
export function withSlotValues(
  definition: ContextDefinition,
  slotType: string,
  values: readonly SlotValueInput[],
): ContextDefinition {
  const where: ContextErrorLocation = { file: definition.fileName, line: 0, column: 0 };
  const existing = definition.slotTypes[slotType];
  if (!existing) throw contextError(where, `unknown slot type '${slotType}'`);
  if (existing.kind !== 'list') throw contextError(where, `slot type '${slotType}' is a number type: its values are fixed`);
  const builder = new SlotValuesBuilder(slotType, (what) => contextError(where, what));
  values.forEach((input, i) => {
    const at = `value ${i + 1}`;
    if (typeof input === 'string') builder.addPlain(input, at);
    else builder.addEntry(input.value, input.synonyms, input.phrases, input.number, at);
  });
  const updated: ListSlotType = { kind: 'list', name: slotType, values: builder.finish() };
  return { ...definition, slotTypes: { ...definition.slotTypes, [slotType]: updated } };
}

/** Collects a list slot type's values, rejecting bad words, duplicate values and shared phrases. */
class SlotValuesBuilder {
  private readonly values: SlotValue[] = [];
  private readonly phraseOwner = new Map<string, string>();

  constructor(
    private readonly typeName: string,
    private readonly fail: (what: string) => Error,
  ) {}

  /** A plain phrase: said in lowercase words, reported as the context spells it ("John Smith"). */
  addPlain(text: string, at: string): void {
    const words = this.words(text, at);
    this.push({ value: text.trim().replace(/\s+/g, ' '), phrases: [words] }, at);
  }

  addEntry(
    value: unknown,
    synonyms: readonly unknown[] | undefined,
    phrases: readonly unknown[] | undefined,
    number: unknown,
    at: string,
  ): void {
    if (typeof value !== 'string' || value.trim() === '') throw this.fail(`slot type '${this.typeName}', ${at}: 'value' must be a non-empty string`);
    if (synonyms !== undefined && phrases !== undefined) {
      throw this.fail(`slot type '${this.typeName}', ${at}: give either 'synonyms' (said besides the value) or 'phrases' (said instead of it), not both`);
    }
    if (number !== undefined && (typeof number !== 'number' || !Number.isFinite(number))) {
      throw this.fail(`slot type '${this.typeName}', ${at}: 'number' must be a number`);
    }
    const said: string[][] = [];
    if (phrases === undefined) said.push(this.words(value, at));
    for (const p of synonyms ?? phrases ?? []) {
      if (typeof p !== 'string') throw this.fail(`slot type '${this.typeName}', ${at}: synonyms and phrases must be strings`);
      said.push(this.words(p, at));
    }
    if (said.length === 0) throw this.fail(`slot type '${this.typeName}', ${at}: 'phrases' is empty`);
    this.push({ value: value.trim(), phrases: said, ...(number === undefined ? {} : { number: number as number }) }, at);
  }

  finish(): SlotValue[] {
    if (this.values.length === 0) throw this.fail(`slot type '${this.typeName}' has no values`);
    return this.values;
  }

  private words(text: string, at: string): string[] {
    const words = text.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'").trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) throw this.fail(`slot type '${this.typeName}', ${at}: empty phrase`);
    for (const w of words) {
      if (!isValidWord(w)) {
        const hint = /\d/.test(w) ? ' (spell numbers out)' : '';
        throw this.fail(`slot type '${this.typeName}', ${at}: '${w}' is not a word: use letters and apostrophes only${hint}`);
      }
    }
    return words;
  }

  private push(value: SlotValue, at: string): void {
    if (this.values.some((v) => v.value === value.value)) {
      throw this.fail(`slot type '${this.typeName}', ${at}: value '${value.value}' is listed twice`);
    }
    for (const phrase of value.phrases) {
      const key = phrase.join(' ');
      const owner = this.phraseOwner.get(key);
      if (owner !== undefined) {
        throw this.fail(
          owner === value.value
            ? `slot type '${this.typeName}', ${at}: phrase '${key}' is listed twice`
            : `slot type '${this.typeName}', ${at}: phrase '${key}' would mean both '${owner}' and '${value.value}'`,
        );
      }
      this.phraseOwner.set(key, value.value);
    }
    this.values.push(value);
  }
}

interface MacroSource {
  readonly phrases: readonly Scalar[];
  readonly keyNode: Node;
  resolved?: ExpressionNode;
  resolving?: boolean;
}

class ContextLoader {
  private readonly lineCounter = new LineCounter();
  private readonly warnings: string[] = [];
  private format: ContextFormat = 'auriga';
  private readonly slotTypes = new Map<string, SlotType>();
  private readonly usedSlotTypes = new Set<string>();
  private readonly macros = new Map<string, MacroSource>();

  constructor(
    private readonly text: string,
    private readonly fileName: string,
  ) {}

  load(): ContextDefinition {
    const doc = parseDocument(this.text, { lineCounter: this.lineCounter, uniqueKeys: false, prettyErrors: false });
    const yamlError = doc.errors[0];
    if (yamlError) {
      const pos = yamlError.linePos?.[0] ?? this.lineCounter.linePos(yamlError.pos[0]);
      const what = yamlError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw contextError({ file: this.fileName, line: pos.line, column: pos.col }, `YAML syntax error: ${what}`);
    }
    const root = doc.contents;
    if (!isMap(root)) throw this.fail(root, "a context file is a YAML mapping with one key, 'context'");
    const rootPairs = this.pairs(root, 'top level');
    for (const [key, pair] of rootPairs) {
      if (key !== 'context') throw this.fail(pair.key, `unknown top-level key '${key}' (expected only 'context')`);
    }
    const contextPair = rootPairs.get('context');
    if (!contextPair) throw this.fail(root, "missing the top-level key 'context'");
    const context = contextPair.value;
    if (!isMap(context)) throw this.fail(context ?? contextPair.key, "'context' must be a mapping");
    const entries = this.pairs(context, "'context'");

    const hasIntents = entries.has('intents');
    const hasExpressions = entries.has('expressions');
    if (hasIntents && hasExpressions) {
      throw this.fail(entries.get('expressions')!.key, "both 'intents' (Auriga format) and 'expressions' (Rhino format): use one");
    }
    if (!hasIntents && !hasExpressions) {
      throw this.fail(contextPair.key, "'context' has neither 'intents' (Auriga format) nor 'expressions' (Rhino format)");
    }
    this.format = hasIntents ? 'auriga' : 'rhino';
    const allowed = this.format === 'auriga' ? AURIGA_KEYS : RHINO_KEYS;
    for (const [key, pair] of entries) {
      if (allowed.has(key)) continue;
      if (this.format === 'auriga') {
        throw this.fail(pair.key, `unknown key '${key}' in 'context' (expected ${[...AURIGA_KEYS].join(', ')})`);
      }
      this.warnings.push(`${this.where(pair.key)}: unknown Rhino key '${key}' ignored`);
    }

    const name = this.optionalString(entries.get('name')) ?? defaultName(this.fileName);
    const language = this.optionalString(entries.get('language')) ?? 'en-US';
    if (!LANGUAGE_RE.test(language)) {
      throw this.fail(entries.get('language')!.value, `language '${language}' is not a BCP 47 tag like en-US`);
    }

    this.readListSlotTypes(entries.get('slots'));
    this.readNumberTypes(entries.get('numbers'));
    this.readMacros(entries.get('macros'));

    const intentsPair = (hasIntents ? entries.get('intents') : entries.get('expressions'))!;
    const intents = this.readIntents(intentsPair);

    const usesNumbers = [...this.usedSlotTypes].some((t) => this.slotType(t)?.kind === 'number');
    if (usesNumbers && !language.toLowerCase().startsWith('en')) {
      throw this.fail(entries.get('language')!.value, `number slots are only available in English contexts, not '${language}'`);
    }
    for (const [typeName, type] of this.slotTypes) {
      if (!this.usedSlotTypes.has(typeName)) this.warnings.push(`slot type '${type.name}' is never used`);
    }
    const slotTypes: Record<string, SlotType> = {};
    for (const [typeName, type] of this.slotTypes) slotTypes[typeName] = type;
    for (const typeName of this.usedSlotTypes) slotTypes[typeName] ??= BUILTIN_SLOT_TYPES[typeName]!;
    return { format: this.format, name, language, fileName: this.fileName, intents, slotTypes, warnings: this.warnings };
  }

  // ---- sections ----------------------------------------------------------------------------

  private readListSlotTypes(pair: Pair<unknown, unknown> | undefined): void {
    if (!pair || pair.value === null || (isScalar(pair.value) && pair.value.value === null)) return;
    const map = pair.value;
    if (!isMap(map)) throw this.fail(pair.value ?? pair.key, "'slots' must map slot type names to lists of values");
    for (const [typeName, typePair] of this.pairs(map, "'slots'")) {
      this.checkTypeName(typeName, typePair.key);
      const list = typePair.value;
      if (!isSeq(list) || list.items.length === 0) {
        throw this.fail(list ?? typePair.key, `slot type '${typeName}' needs a non-empty list of values`);
      }
      let current: Node = typePair.key as Node;
      const builder = new SlotValuesBuilder(typeName, (what) => this.fail(current, what));
      list.items.forEach((item, i) => {
        current = item as Node;
        const at = `value ${i + 1}`;
        if (isScalar(item) && item.value !== null && typeof item.value !== 'object') {
          builder.addPlain(String(item.value), at);
        } else if (isMap(item) && this.format === 'auriga') {
          const fields = this.pairs(item, `slot value of '${typeName}'`);
          for (const [key, field] of fields) {
            if (!['value', 'synonyms', 'phrases', 'number'].includes(key)) {
              throw this.fail(field.key, `unknown key '${key}' in a value of slot type '${typeName}' (expected value, synonyms, phrases, number)`);
            }
          }
          const value = this.scalarValue(fields.get('value'));
          const synonyms = this.stringList(fields.get('synonyms'), `synonyms of '${String(value)}'`);
          const phrases = this.stringList(fields.get('phrases'), `phrases of '${String(value)}'`);
          builder.addEntry(typeof value === 'number' ? String(value) : value, synonyms, phrases, this.scalarValue(fields.get('number')), at);
        } else {
          throw this.fail(
            item as Node,
            this.format === 'rhino'
              ? `slot type '${typeName}': values must be phrases (strings)`
              : `slot type '${typeName}': a value is a phrase or { value, synonyms, phrases, number }`,
          );
        }
      });
      current = typePair.key as Node;
      this.slotTypes.set(typeName, { kind: 'list', name: typeName, values: builder.finish() });
    }
  }

  private readNumberTypes(pair: Pair<unknown, unknown> | undefined): void {
    if (!pair || pair.value === null) return;
    const map = pair.value;
    if (!isMap(map)) throw this.fail(pair.value ?? pair.key, "'numbers' must map number type names to { kind, min, max, halves }");
    for (const [typeName, typePair] of this.pairs(map, "'numbers'")) {
      this.checkTypeName(typeName, typePair.key);
      if (this.slotTypes.has(typeName)) throw this.fail(typePair.key, `'${typeName}' is both a list slot type and a number type`);
      const spec = typePair.value;
      if (!isMap(spec)) throw this.fail(spec ?? typePair.key, `number type '${typeName}' must be { kind, min, max, halves }`);
      const fields = this.pairs(spec, `number type '${typeName}'`);
      for (const [key, field] of fields) {
        if (!['kind', 'min', 'max', 'halves'].includes(key)) {
          throw this.fail(field.key, `unknown key '${key}' in number type '${typeName}' (expected kind, min, max, halves)`);
        }
      }
      const kind = this.scalarValue(fields.get('kind'));
      if (!NUMBER_KINDS.includes(kind as NumberKind)) {
        throw this.fail(fields.get('kind')?.value ?? typePair.key, `number type '${typeName}': kind must be one of ${NUMBER_KINDS.join(', ')}`);
      }
      const numberKind = kind as NumberKind;
      const defaults = numberKind === 'percent' ? [0, 100] : numberKind === 'ordinal' ? [1, 99] : undefined;
      const bound = (key: 'min' | 'max', fallback: number | undefined): number => {
        const field = fields.get(key);
        const value = this.scalarValue(field);
        if (value === undefined && fallback !== undefined) return fallback;
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SLOT_NUMBER) {
          throw this.fail(field?.value ?? typePair.key, `number type '${typeName}': '${key}' must be an integer from 0 to ${MAX_SLOT_NUMBER}`);
        }
        return value;
      };
      const min = bound('min', defaults?.[0]);
      const max = bound('max', defaults?.[1]);
      if (min > max) throw this.fail(spec, `number type '${typeName}': min ${min} is above max ${max}`);
      if (numberKind === 'ordinal' && min < 1) throw this.fail(spec, `number type '${typeName}': ordinals start at 1`);
      const halvesValue = this.scalarValue(fields.get('halves'));
      if (halvesValue !== undefined && typeof halvesValue !== 'boolean') {
        throw this.fail(fields.get('halves')!.value ?? spec, `number type '${typeName}': 'halves' must be true or false`);
      }
      const halves = halvesValue ?? numberKind === 'temperature';
      if (halves && numberKind === 'ordinal') throw this.fail(spec, `number type '${typeName}': ordinals have no halves`);
      this.slotTypes.set(typeName, { kind: 'number', name: typeName, numberKind, min, max, halves, builtin: false });
    }
  }

  private readMacros(pair: Pair<unknown, unknown> | undefined): void {
    if (!pair || pair.value === null) return;
    const map = pair.value;
    if (!isMap(map)) throw this.fail(pair.value ?? pair.key, "'macros' must map macro names to lists of phrases");
    for (const [macroName, macroPair] of this.pairs(map, "'macros'")) {
      const list = macroPair.value;
      if (!isSeq(list) || list.items.length === 0) {
        throw this.fail(list ?? macroPair.key, `macro '${macroName}' needs a non-empty list of phrases`);
      }
      const phrases = list.items.map((item) => {
        if (!isScalar(item) || typeof item.value !== 'string') throw this.fail(item as Node, `macro '${macroName}': phrases must be strings`);
        return item;
      });
      this.macros.set(macroName, { phrases, keyNode: macroPair.key as Node });
    }
  }

  private readIntents(pair: Pair<unknown, unknown>): IntentDefinition[] {
    const section = this.format === 'auriga' ? 'intents' : 'expressions';
    const map = pair.value;
    if (!isMap(map) || map.items.length === 0) {
      throw this.fail(map ?? pair.key, `'${section}' must map intent names to their expressions`);
    }
    const intents: IntentDefinition[] = [];
    for (const [intentName, intentPair] of this.pairs(map, `'${section}'`, 'intent')) {
      if (!NAME_RE.test(intentName)) {
        throw this.fail(intentPair.key, `intent name '${intentName}' must start with a letter and use letters, digits, '_' or '-'`);
      }
      intents.push(this.readIntent(intentName, intentPair));
    }
    return intents;
  }

  private readIntent(name: string, pair: Pair<unknown, unknown>): IntentDefinition {
    const keyNode = pair.key as Node;
    let expressionList: unknown = pair.value;
    let description: string | undefined;
    const declared = new Map<string, string[]>();
    if (isMap(pair.value)) {
      if (this.format === 'rhino') throw this.fail(pair.value, `intent '${name}': expressions must be a list of strings`);
      const fields = this.pairs(pair.value, `intent '${name}'`);
      for (const [key, field] of fields) {
        if (!['description', 'slots', 'expressions'].includes(key)) {
          throw this.fail(field.key, `unknown key '${key}' in intent '${name}' (expected description, slots, expressions)`);
        }
      }
      description = this.optionalString(fields.get('description'));
      const slotsPair = fields.get('slots');
      if (slotsPair && slotsPair.value !== null) {
        if (!isMap(slotsPair.value)) throw this.fail(slotsPair.value ?? slotsPair.key, `intent '${name}': 'slots' must map slot names to slot types`);
        for (const [slotName, slotPair] of this.pairs(slotsPair.value, `slots of intent '${name}'`)) {
          const types = isSeq(slotPair.value) ? this.stringList(slotPair, `types of slot '${slotName}'`)! : [this.scalarValue(slotPair)];
          if (types.length === 0 || types.some((t) => typeof t !== 'string')) {
            throw this.fail(slotPair.value ?? slotPair.key, `intent '${name}': slot '${slotName}' needs a slot type name (or a list of them)`);
          }
          for (const t of types as string[]) this.requireSlotType(t, slotPair.value as Node, `slot '${slotName}'`);
          declared.set(slotName, types as string[]);
        }
      }
      expressionList = fields.get('expressions')?.value;
    }
    const empty =
      expressionList === null ||
      expressionList === undefined ||
      (isScalar(expressionList) && (expressionList.value === null || expressionList.value === '')) ||
      (isSeq(expressionList) && expressionList.items.length === 0);
    if (empty) {
      throw this.fail(keyNode, `intent '${name}' is empty: give it at least one expression`);
    }
    if (!isSeq(expressionList)) throw this.fail(expressionList as Node, `intent '${name}': expressions must be a list of strings`);

    const slots = new Map<string, Set<string>>();
    const expressions: ExpressionDefinition[] = expressionList.items.map((item) => {
      if (!isScalar(item) || typeof item.value !== 'string') {
        throw this.fail(item as Node, `intent '${name}': each expression must be a string`);
      }
      const { root, source } = this.compileScalar(item, (ref, offset) => this.resolveSlot(ref, offset, item, declared, name));
      const position = this.position(item);
      this.checkExpression(root, item);
      for (const [slot, type] of slotBindings(root)) {
        if (!slots.has(slot)) slots.set(slot, new Set());
        slots.get(slot)!.add(type);
      }
      return { source, root, line: position.line, column: position.column };
    });
    for (const slotName of declared.keys()) {
      if (!slots.has(slotName)) this.warnings.push(`intent '${name}' declares slot '${slotName}' but no expression uses it`);
    }
    const slotRecord: Record<string, string[]> = {};
    for (const [slot, types] of slots) slotRecord[slot] = [...types];
    const at = this.position(keyNode);
    return { name, ...(description === undefined ? {} : { description }), expressions, slots: slotRecord, line: at.line, column: at.column };
  }

  // ---- expressions -------------------------------------------------------------------------

  /** Parse an expression scalar and resolve its slots and macros; errors point into the scalar. */
  private compileScalar(
    scalar: Scalar,
    resolveSlotRef: (ref: Extract<RawNode, { kind: 'slot' }>, offset: number) => ExpressionNode,
  ): { root: ExpressionNode; source: string } {
    const source = scalar.value as string;
    let raw: RawNode;
    try {
      raw = parseExpression(source);
    } catch (error) {
      if (error instanceof ExpressionSyntaxError) throw this.failAt(scalar, error.offset, `${error.message} in "${source}"`);
      throw error;
    }
    const resolve = (node: RawNode): ExpressionNode => {
      switch (node.kind) {
        case 'word':
          return { kind: 'word', word: node.word };
        case 'slot':
          return resolveSlotRef(node, node.offset);
        case 'macro':
          return this.resolveMacro(node.name, scalar, node.offset);
        case 'sequence': {
          const items = node.items.map(resolve);
          return items.length === 1 ? items[0]! : { kind: 'sequence', items };
        }
        case 'group':
          return { kind: 'choice', optional: node.optional, alternatives: node.alternatives.map(resolve) };
      }
    };
    return { root: resolve(raw), source };
  }

  private resolveSlot(
    ref: Extract<RawNode, { kind: 'slot' }>,
    offset: number,
    scalar: Scalar,
    declared: ReadonlyMap<string, readonly string[]>,
    intent: string,
  ): ExpressionNode {
    let slotType = ref.slotType;
    const declaredTypes = declared.get(ref.slot);
    if (slotType === undefined) {
      if (this.format === 'rhino') {
        throw this.failAt(scalar, offset, `slot reference '$${ref.slot}' needs a slot type: write $type:${ref.slot}`);
      }
      if (declaredTypes && declaredTypes.length > 1) {
        throw this.failAt(scalar, offset, `slot '${ref.slot}' of intent '${intent}' has several types (${declaredTypes.join(', ')}): write $type:${ref.slot}`);
      }
      slotType = declaredTypes?.[0] ?? ref.slot;
    } else if (declaredTypes && !declaredTypes.includes(slotType)) {
      throw this.failAt(scalar, offset, `slot '${ref.slot}' of intent '${intent}' is declared as ${declaredTypes.join(' or ')}, not '${slotType}'`);
    }
    this.requireSlotType(slotType, scalar, `'$${ref.slotType === undefined ? '' : `${ref.slotType}:`}${ref.slot}'`, offset);
    return { kind: 'slot', slot: ref.slot, slotType };
  }

  private requireSlotType(typeName: string, node: Node, what: string, offset?: number): void {
    const fail = (message: string) => (offset === undefined || !isScalar(node) ? this.fail(node, message) : this.failAt(node, offset, message));
    if (UNSUPPORTED_BUILTINS.has(typeName)) {
      throw fail(`built-in slot type '${typeName}' in ${what} is not supported (supported built-ins: ${Object.keys(BUILTIN_SLOT_TYPES).join(', ')})`);
    }
    if (!this.slotType(typeName)) {
      const known = [...this.slotTypes.keys(), ...Object.keys(BUILTIN_SLOT_TYPES)];
      throw fail(`unknown slot type '${typeName}' in ${what} (known: ${known.join(', ')})`);
    }
    this.usedSlotTypes.add(typeName);
  }

  private slotType(name: string): SlotType | undefined {
    return this.slotTypes.get(name) ?? BUILTIN_SLOT_TYPES[name];
  }

  private resolveMacro(name: string, scalar: Scalar, offset: number): ExpressionNode {
    const macro = this.macros.get(name);
    if (!macro) {
      const known = [...this.macros.keys()];
      throw this.failAt(scalar, offset, `unknown macro '@${name}'${known.length ? ` (known: ${known.map((m) => `@${m}`).join(', ')})` : ''}`);
    }
    if (macro.resolved) return macro.resolved;
    if (macro.resolving) throw this.failAt(scalar, offset, `macro '@${name}' refers to itself`);
    macro.resolving = true;
    const alternatives = macro.phrases.map((phrase) => {
      const { root } = this.compileScalar(phrase, (ref, at) => {
        if (ref.slotType === undefined) throw this.failAt(phrase, at, `slot reference '$${ref.slot}' in a macro needs a slot type: write $type:${ref.slot}`);
        this.requireSlotType(ref.slotType, phrase, `'$${ref.slotType}:${ref.slot}'`, at);
        return { kind: 'slot', slot: ref.slot, slotType: ref.slotType };
      });
      return root;
    });
    macro.resolving = false;
    macro.resolved = alternatives.length === 1 ? alternatives[0]! : { kind: 'choice', optional: false, alternatives };
    return macro.resolved;
  }

  private checkExpression(root: ExpressionNode, scalar: Scalar): void {
    if (canBeEmpty(root)) {
      throw this.fail(scalar, `expression "${String(scalar.value)}" can be said as nothing: it needs a word or slot outside optional ( )`);
    }
    const duplicate = duplicateSlot(root);
    if (duplicate) {
      throw this.fail(scalar, `slot '${duplicate}' appears twice in expression "${String(scalar.value)}": give each slot its own name`);
    }
  }

  // ---- YAML helpers ------------------------------------------------------------------------

  /** A map's pairs by key, rejecting non-string and duplicate keys (with both lines). */
  private pairs(map: YAMLMap, what: string, noun = 'key'): Map<string, Pair<unknown, unknown>> {
    const result = new Map<string, Pair<unknown, unknown>>();
    for (const pair of map.items) {
      const keyNode = pair.key;
      if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
        throw this.fail((keyNode as Node | null) ?? map, `${what}: keys must be names`);
      }
      const key = String(keyNode.value);
      const first = result.get(key);
      if (first) {
        throw this.fail(keyNode, `duplicate ${noun} '${key}' in ${what} (first at line ${this.position(first.key as Node).line})`);
      }
      result.set(key, pair);
    }
    return result;
  }

  private scalarValue(pair: Pair<unknown, unknown> | undefined): unknown {
    if (!pair) return undefined;
    if (pair.value === null || pair.value === undefined) return undefined;
    if (!isScalar(pair.value)) throw this.fail(pair.value as Node, `'${String((pair.key as Scalar).value)}' must be a single value`);
    return pair.value.value ?? undefined;
  }

  private optionalString(pair: Pair<unknown, unknown> | undefined): string | undefined {
    const value = this.scalarValue(pair);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') throw this.fail(pair!.value as Node, `'${String((pair!.key as Scalar).value)}' must be a non-empty string`);
    return value.trim();
  }

  private stringList(pair: Pair<unknown, unknown> | undefined, what: string): string[] | undefined {
    if (!pair || pair.value === null) return undefined;
    if (!isSeq(pair.value)) throw this.fail(pair.value as Node, `${what} must be a list`);
    return pair.value.items.map((item) => {
      if (!isScalar(item) || item.value === null || typeof item.value === 'object') throw this.fail(item as Node, `${what} must be strings`);
      return String(item.value);
    });
  }

  private checkTypeName(name: string, node: unknown): void {
    if (name.startsWith('pv.')) throw this.fail(node as Node, `slot type names starting with 'pv.' are reserved for built-ins`);
    if (!NAME_RE.test(name)) throw this.fail(node as Node, `slot type name '${name}' must start with a letter and use letters, digits, '_' or '-'`);
  }

  /** Line and column of a node, or of a character of a scalar's value when `offsetInValue` is given. */
  private position(node: Node | null | undefined, offsetInValue?: number): { line: number; column: number } {
    const start = node?.range?.[0];
    if (start === undefined) return { line: 0, column: 0 };
    let offset = start;
    if (offsetInValue !== undefined && isScalar(node) && typeof node.value === 'string') {
      // Map an offset in the value to the file only when the scalar is written verbatim.
      const raw = this.text.slice(start, node.range![1]);
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      if ((quoted ? raw.slice(1, -1) : raw) === node.value) offset = start + (quoted ? 1 : 0) + offsetInValue;
    }
    const pos = this.lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  private where(node: unknown): string {
    const p = this.position(node as Node);
    return `${this.fileName}:${p.line}:${p.column}`;
  }

  private fail(node: unknown, what: string): Error {
    return contextError({ file: this.fileName, ...this.position(node as Node) }, what);
  }

  private failAt(node: Node, offsetInValue: number, what: string): Error {
    return contextError({ file: this.fileName, ...this.position(node, offsetInValue) }, what);
  }
}

function defaultName(fileName: string): string {
  return fileName.startsWith('<') ? 'context' : basename(fileName, extname(fileName));
}

/** Whether the expression accepts the empty sentence. */
export function canBeEmpty(node: ExpressionNode): boolean {
  switch (node.kind) {
    case 'word':
    case 'slot':
      return false;
    case 'sequence':
      return node.items.every(canBeEmpty);
    case 'choice':
      return node.optional || node.alternatives.some(canBeEmpty);
  }
}

/** Every (slot, type) the expression can bind. */
export function slotBindings(node: ExpressionNode, out = new Map<string, string>()): Map<string, string> {
  switch (node.kind) {
    case 'slot':
      out.set(node.slot, node.slotType);
      break;
    case 'sequence':
      for (const item of node.items) slotBindings(item, out);
      break;
    case 'choice':
      for (const alt of node.alternatives) slotBindings(alt, out);
      break;
    case 'word':
      break;
  }
  return out;
}

/** A slot name that one path through the expression would bind twice, if any. */
function duplicateSlot(node: ExpressionNode): string | undefined {
  let found: string | undefined;
  const names = (n: ExpressionNode): Set<string> => {
    switch (n.kind) {
      case 'word':
        return new Set();
      case 'slot':
        return new Set([n.slot]);
      case 'choice': {
        const union = new Set<string>();
        for (const alt of n.alternatives) for (const s of names(alt)) union.add(s);
        return union;
      }
      case 'sequence': {
        const seen = new Set<string>();
        for (const item of n.items) {
          for (const s of names(item)) {
            if (seen.has(s)) found ??= s;
            seen.add(s);
          }
        }
        return seen;
      }
    }
  };
  names(node);
  return found;
}
