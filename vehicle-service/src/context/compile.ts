/**
 * Compiling a context into a word graph: one branch per expression from the start node (tagged with
 * its intent), choices as parallel branches joined by epsilon arcs, and every slot reference as a
 * prefix tree of its phrases bracketed by slotStart/slotEnd tags. The graph is acyclic.
 */
import { numberSlotPhrases } from './numbers.js';
import type {
  ArcTag,
  CompiledContext,
  ContextDefinition,
  ExpressionNode,
  GraphArc,
  SlotType,
  WordGraph,
} from './types.js';

/** One way of saying a slot value: its words, the value reported and the number it stands for. */
export interface SlotPhrase {
  readonly words: readonly string[];
  readonly value: string;
  readonly number?: number;
}

/** Every phrase of a slot type (list values with their synonyms, or every spoken number). */
export function slotPhrases(type: SlotType): SlotPhrase[] {
  if (type.kind === 'list') {
    return type.values.flatMap((v) =>
      v.phrases.map((words) => ({ words, value: v.value, ...(v.number === undefined ? {} : { number: v.number }) })),
    );
  }
  return numberSlotPhrases(type).map((p) => ({ words: p.words, value: p.words.join(' '), number: p.number }));
}

class GraphBuilder {
  private readonly arcs: GraphArc[] = [];
  private readonly inside: boolean[] = [];
  private readonly phraseCache = new Map<string, SlotPhrase[]>();

  constructor(private readonly slotTypes: Readonly<Record<string, SlotType>>) {}

  node(insideSlot: boolean): number {
    this.inside.push(insideSlot);
    return this.inside.length - 1;
  }

  arc(from: number, to: number, word: string | null, tag?: ArcTag): void {
    this.arcs.push(tag ? { from, to, word, tag } : { from, to, word });
  }

  /** Adds the expression after node `from`; returns the node where it ends. */
  add(node: ExpressionNode, from: number): number {
    switch (node.kind) {
      case 'word': {
        const to = this.node(false);
        this.arc(from, to, node.word);
        return to;
      }
      case 'sequence':
        return node.items.reduce((at, item) => this.add(item, at), from);
      case 'choice': {
        const exit = this.node(false);
        for (const alternative of node.alternatives) this.arc(this.add(alternative, from), exit, null);
        if (node.optional) this.arc(from, exit, null);
        return exit;
      }
      case 'slot':
        return this.addSlot(node.slot, node.slotType, from);
    }
  }

  private addSlot(slot: string, slotType: string, from: number): number {
    const root = this.node(true);
    const exit = this.node(false);
    this.arc(from, root, null, { type: 'slotStart', slot, slotType });
    const children = new Map<string, number>();
    for (const phrase of this.phrases(slotType)) {
      let at = root;
      for (const word of phrase.words) {
        const key = `${at} ${word}`;
        let next = children.get(key);
        if (next === undefined) {
          next = this.node(true);
          children.set(key, next);
          this.arc(at, next, word);
        }
        at = next;
      }
      const tag: ArcTag =
        phrase.number === undefined
          ? { type: 'slotEnd', slot, value: phrase.value }
          : { type: 'slotEnd', slot, value: phrase.value, number: phrase.number };
      this.arc(at, exit, null, tag);
    }
    return exit;
  }

  private phrases(slotType: string): SlotPhrase[] {
    let phrases = this.phraseCache.get(slotType);
    if (!phrases) {
      const type = this.slotTypes[slotType];
      if (!type) throw new Error(`slot type '${slotType}' missing from the definition`);
      phrases = slotPhrases(type);
      this.phraseCache.set(slotType, phrases);
    }
    return phrases;
  }

  finish(start: number, final: number): WordGraph {
    const nodeCount = this.inside.length;
    const sorted = this.arcs.map((arc, i) => ({ arc, i })).sort((a, b) => a.arc.from - b.arc.from || a.i - b.i);
    const arcOffsets = new Array<number>(nodeCount + 1).fill(0);
    for (const { arc } of sorted) arcOffsets[arc.from + 1]!++;
    for (let n = 0; n < nodeCount; n++) arcOffsets[n + 1]! += arcOffsets[n]!;
    return { nodeCount, start, final, arcs: sorted.map((s) => s.arc), arcOffsets, insideSlot: this.inside };
  }
}

/** Compile a loaded context. Pure: the same definition always gives the same graph. */
export function compileContext(definition: ContextDefinition): CompiledContext {
  const builder = new GraphBuilder(definition.slotTypes);
  const start = builder.node(false);
  const final = builder.node(false);
  for (const intent of definition.intents) {
    intent.expressions.forEach((expression, index) => {
      const entry = builder.node(false);
      builder.arc(start, entry, null, { type: 'intent', intent: intent.name, expression: index });
      builder.arc(builder.add(expression.root, entry), final, null);
    });
  }
  return {
    name: definition.name,
    language: definition.language,
    format: definition.format,
    fileName: definition.fileName,
    intents: definition.intents.map((i) => ({
      name: i.name,
      ...(i.description === undefined ? {} : { description: i.description }),
      slots: i.slots,
      expressions: i.expressions,
    })),
    slotTypes: definition.slotTypes,
    graph: builder.finish(start, final),
  };
}
