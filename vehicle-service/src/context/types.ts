/**
 * Types of the voice context layer: a context definition (what a YAML file says, resolved and
 * validated), the compiled word graph the decoder and the text matcher search, and the results.
 */

/** One element of a parsed expression. Macros are already inlined; words are lowercase. */
export type ExpressionNode =
  | { readonly kind: 'word'; readonly word: string }
  | { readonly kind: 'slot'; readonly slot: string; readonly slotType: string }
  | { readonly kind: 'sequence'; readonly items: readonly ExpressionNode[] }
  /** `[a, b]` (one must be said) when `optional` is false, `(a, b)` (may be left out) when true. */
  | { readonly kind: 'choice'; readonly optional: boolean; readonly alternatives: readonly ExpressionNode[] };

export interface SourceLocation {
  readonly line: number;
  readonly column: number;
}

export interface ExpressionDefinition extends SourceLocation {
  /** The expression as written in the file. */
  readonly source: string;
  readonly root: ExpressionNode;
}

export interface IntentDefinition extends SourceLocation {
  readonly name: string;
  readonly description?: string;
  readonly expressions: readonly ExpressionDefinition[];
  /** Every slot name the intent's expressions can fill, with the slot types that can fill it. */
  readonly slots: Readonly<Record<string, readonly string[]>>;
}

export interface SlotValue {
  /** What the matcher reports in `slots` (the canonical value). */
  readonly value: string;
  /** Every way of saying it, as words (lowercase). */
  readonly phrases: readonly (readonly string[])[];
  /** Optional number the value stands for (e.g. "halfway" = 50), reported in `numbers`. */
  readonly number?: number;
}

export interface ListSlotType {
  readonly kind: 'list';
  readonly name: string;
  readonly values: readonly SlotValue[];
}

export type NumberKind = 'integer' | 'percent' | 'ordinal' | 'temperature';

export interface NumberSlotType {
  readonly kind: 'number';
  readonly name: string;
  readonly numberKind: NumberKind;
  readonly min: number;
  readonly max: number;
  /** Also accept "<n> and a half" / "<n> point five". */
  readonly halves: boolean;
  /** True for the `pv.*` types every context has. */
  readonly builtin: boolean;
}

export type SlotType = ListSlotType | NumberSlotType;

export type ContextFormat = 'auriga' | 'rhino';

export interface ContextDefinition {
  readonly format: ContextFormat;
  readonly name: string;
  /** BCP 47 tag, e.g. "en-US". Rhino files do not carry one: "en-US" is assumed. */
  readonly language: string;
  /** File name used in error messages. */
  readonly fileName: string;
  readonly intents: readonly IntentDefinition[];
  /** Slot types referenced or declared (declared list/number types plus the built-ins in use). */
  readonly slotTypes: Readonly<Record<string, SlotType>>;
  /** Things that are allowed but probably unintended (unused slot types, unknown Rhino keys). */
  readonly warnings: readonly string[];
}

/**
 * What an arc outputs, besides its word. Tags only sit on epsilon arcs (word null).
 * - `intent`: the first arc of every expression, from the start node.
 * - `slotStart` / `slotEnd`: bracket the words of a slot; `slotEnd` carries the value they mean.
 */
export type ArcTag =
  | { readonly type: 'intent'; readonly intent: string; readonly expression: number }
  | { readonly type: 'slotStart'; readonly slot: string; readonly slotType: string }
  | { readonly type: 'slotEnd'; readonly slot: string; readonly value: string; readonly number?: number };

export interface GraphArc {
  readonly from: number;
  readonly to: number;
  /** The word (lowercase, as in the vocabulary) or null for an epsilon arc (consumes nothing). */
  readonly word: string | null;
  readonly tag?: ArcTag;
}

/**
 * A finite-state grammar: an acyclic graph from `start` to `final`. Every path is one sentence of
 * the context; its arcs' tags give the intent and the slots. Arcs are sorted by `from`; the arcs
 * leaving node n are `arcs[arcOffsets[n] .. arcOffsets[n + 1])`.
 */
export interface WordGraph {
  readonly nodeCount: number;
  readonly start: number;
  readonly final: number;
  readonly arcs: readonly GraphArc[];
  readonly arcOffsets: readonly number[];
  /** True for nodes strictly inside a slot value (between slotStart and slotEnd). */
  readonly insideSlot: readonly boolean[];
}

export interface CompiledIntent {
  readonly name: string;
  readonly description?: string;
  readonly slots: Readonly<Record<string, readonly string[]>>;
  readonly expressions: readonly ExpressionDefinition[];
}

export interface CompiledContext {
  readonly name: string;
  readonly language: string;
  readonly format: ContextFormat;
  readonly fileName: string;
  readonly intents: readonly CompiledIntent[];
  readonly slotTypes: Readonly<Record<string, SlotType>>;
  readonly graph: WordGraph;
}

/** One sentence of a context with what it means (the matcher's expected answer for it). */
export interface SentenceSample {
  readonly text: string;
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
  readonly numbers: Readonly<Record<string, number>>;
}

export interface Understanding {
  readonly isUnderstood: boolean;
  /** Set when understood. */
  readonly intent?: string;
  /** Slot name -> canonical value (list slots) or the number as spoken (number slots). */
  readonly slots: Readonly<Record<string, string>>;
  /** Slot name -> resolved number, for number slots and list values that carry a number. */
  readonly numbers: Readonly<Record<string, number>>;
  /** 0..1; 1 for an exact match. Also set (low) for rejected text. */
  readonly confidence: number;
}
