/**
 * A compiled context as a JSGF grammar (for the PocketSphinx baseline in eval.ts): one public rule with
 * every expression as an alternative, one rule per slot type listing its phrases. The recognized text is
 * then matched back to an intent with the context's text matcher.
 */
import { slotPhrases } from '../context/compile.js';
import type { CompiledContext, ExpressionNode } from '../context/types.js';

const ruleName = (slotType: string): string => `slot_${slotType.replace(/[^A-Za-z0-9_]/g, '_')}`;

function expressionToJsgf(node: ExpressionNode): string {
  switch (node.kind) {
    case 'word':
      return node.word;
    case 'sequence':
      return node.items.map(expressionToJsgf).join(' ');
    case 'slot':
      return `<${ruleName(node.slotType)}>`;
    case 'choice': {
      const inner = node.alternatives.map(expressionToJsgf).join(' | ');
      return node.optional ? `[ ${inner} ]` : `( ${inner} )`;
    }
  }
}

export function contextToJsgf(context: CompiledContext): string {
  const lines = ['#JSGF V1.0;', `grammar ${context.name.replace(/[^A-Za-z0-9_]/g, '_') || 'context'};`];
  const used = new Set<string>();
  const collect = (node: ExpressionNode): void => {
    if (node.kind === 'slot') used.add(node.slotType);
    else if (node.kind === 'sequence') node.items.forEach(collect);
    else if (node.kind === 'choice') node.alternatives.forEach(collect);
  };
  const alternatives: string[] = [];
  for (const intent of context.intents) {
    for (const e of intent.expressions) {
      collect(e.root);
      alternatives.push(`( ${expressionToJsgf(e.root)} )`);
    }
  }
  lines.push(`public <command> = ${alternatives.join(' | ')};`);
  for (const type of [...used].sort()) {
    const slotType = context.slotTypes[type];
    if (!slotType) continue;
    const phrases = [...new Set(slotPhrases(slotType).map((p) => p.words.join(' ')))];
    lines.push(`<${ruleName(type)}> = ${phrases.map((p) => `( ${p} )`).join(' | ')};`);
  }
  return `${lines.join('\n')}\n`;
}
