/**
 * A real Picovoice Rhino context, loaded unchanged: ../shared/speech/real-dev/coffee_maker.yaml with
 * the labels of 120 real recordings (intent + slots, no transcripts). Skipped when shared/ is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileContext } from './compile.js';
import { parseContext, slotBindings } from './load.js';
import { matchText } from './match.js';
import { sampleSentences } from './sentences.js';
import type { CompiledContext, ExpressionNode } from './types.js';

const REAL_DEV = fileURLToPath(new URL('../../../../shared/speech/real-dev/', import.meta.url));
const CONTEXT_FILE = `${REAL_DEV}coffee_maker.yaml`;
const LABELS_FILE = `${REAL_DEV}labels.json`;
const present = existsSync(CONTEXT_FILE) && existsSync(LABELS_FILE);
if (!present) console.warn(`skipping the Rhino coffee-maker tests: ${REAL_DEV} is absent (shared data)`);

interface Label {
  readonly intent: string;
  readonly slots: Readonly<Record<string, string>>;
}

describe.skipIf(!present)('Rhino coffee_maker context (shared real-dev data)', () => {
  const load = (): CompiledContext => compileContext(parseContext(readFileSync(CONTEXT_FILE, 'utf8'), { fileName: CONTEXT_FILE }));

  it('loads unchanged as a Rhino context', () => {
    const compiled = load();
    expect(compiled.format).toBe('rhino');
    expect(compiled.name).toBe('coffee_maker');
    expect(compiled.intents.map((i) => i.name)).toEqual(['orderDrink']);
    expect(Object.keys(compiled.intents[0]!.slots).sort()).toEqual(['coffeeDrink', 'milkAmount', 'numberOfShots', 'roast', 'size', 'sugarAmount']);
    expect(compiled.intents[0]!.expressions.length).toBeGreaterThan(50);
  });

  it('parses sampled sentences back to the same intent and slots', () => {
    const compiled = load();
    const samples = sampleSentences(compiled, { count: 300, seed: 11 });
    for (const sample of samples) {
      const m = matchText(compiled, sample.text);
      expect({ text: sample.text, intent: m.intent, slots: m.slots }).toEqual({ text: sample.text, intent: sample.intent, slots: sample.slots });
      expect(m.confidence).toBe(1);
    }
  });

  it('can say every labelled order, and reads it back with the labelled slots', () => {
    const compiled = load();
    const labels = Object.entries(JSON.parse(readFileSync(LABELS_FILE, 'utf8')) as Record<string, Label>);
    expect(labels).toHaveLength(120);
    const intent = compiled.intents[0]!;
    for (const [file, label] of labels) {
      // The benchmark compares slot values after trimming spaces (some labels have a leading one).
      const slots = Object.fromEntries(Object.entries(label.slots).map(([k, v]) => [k, v.trim()]));
      const wanted = Object.keys(slots).sort().join(',');
      const expression = intent.expressions.find((e) => [...slotBindings(e.root).keys()].sort().join(',') === wanted);
      expect(expression, `${file}: no expression has exactly the slots ${wanted}`).toBeDefined();
      const text = render(expression!.root, slots);
      const m = matchText(compiled, text);
      expect({ file, text, intent: m.intent, slots: m.slots }).toEqual({ file, text, intent: label.intent, slots });
    }
  });
});

/** A sentence of the expression that says exactly the given slot values (first alternatives elsewhere). */
function render(node: ExpressionNode, slots: Readonly<Record<string, string>>): string {
  const words = (n: ExpressionNode): string[] | undefined => {
    switch (n.kind) {
      case 'word':
        return [n.word];
      case 'slot':
        return slots[n.slot] === undefined ? undefined : [slots[n.slot]!];
      case 'sequence': {
        const out: string[] = [];
        for (const item of n.items) {
          const w = words(item);
          if (!w) return undefined;
          out.push(...w);
        }
        return out;
      }
      case 'choice': {
        for (const alternative of n.alternatives) {
          const w = words(alternative);
          if (w) return w;
        }
        return n.optional ? [] : undefined;
      }
    }
  };
  const result = words(node);
  if (!result) throw new Error('expression cannot say these slots');
  return result.join(' ');
}
