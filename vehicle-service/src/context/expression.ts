/**
 * The expression syntax, shared with Picovoice Rhino:
 *   words        lowercase letters and apostrophes ("turn on the lights", "i'd like")
 *   (a, b c)     optional: one of the alternatives, or nothing
 *   [a, b c]     choice: exactly one of the alternatives
 *   $type:name   slot "name" filled by slot type "type" (also built-ins: $pv.TwoDigitInteger:n)
 *   $name        Auriga only: shorthand for a slot the intent declares, or for $name:name
 *   @macro       one of the phrases of a macro
 * Groups may nest (Rhino's do not, so every Rhino expression parses the same way here).
 */

export type RawNode =
  | { readonly kind: 'word'; readonly word: string; readonly offset: number }
  | { readonly kind: 'slot'; readonly slotType: string | undefined; readonly slot: string; readonly offset: number }
  | { readonly kind: 'macro'; readonly name: string; readonly offset: number }
  | { readonly kind: 'sequence'; readonly items: readonly RawNode[]; readonly offset: number }
  | { readonly kind: 'group'; readonly optional: boolean; readonly alternatives: readonly RawNode[]; readonly offset: number };

/** A syntax problem at a character offset of the expression text. */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

type Token =
  | { readonly kind: '(' | ')' | '[' | ']' | ','; readonly offset: number }
  | { readonly kind: 'word'; readonly text: string; readonly offset: number }
  | { readonly kind: 'slot'; readonly slotType: string | undefined; readonly slot: string; readonly offset: number }
  | { readonly kind: 'macro'; readonly name: string; readonly offset: number };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SLOT_TYPE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const WORD = /^\p{L}+(?:'\p{L}+)*$/u;
const SPECIAL = new Set(['(', ')', '[', ']', ',']);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (SPECIAL.has(ch)) {
      tokens.push({ kind: ch as '(' | ')' | '[' | ']' | ',', offset: i });
      i++;
      continue;
    }
    let end = i;
    while (end < source.length && !/\s/.test(source[end]!) && !SPECIAL.has(source[end]!)) end++;
    const text = source.slice(i, end);
    if (ch === '$') {
      const body = text.slice(1);
      const colon = body.indexOf(':');
      const slotType = colon >= 0 ? body.slice(0, colon) : undefined;
      const slot = colon >= 0 ? body.slice(colon + 1) : body;
      if (slotType !== undefined && !SLOT_TYPE.test(slotType)) {
        throw new ExpressionSyntaxError(`bad slot type name in '${text}' (expected $type:name)`, i);
      }
      if (!IDENTIFIER.test(slot)) throw new ExpressionSyntaxError(`bad slot name in '${text}' (expected $type:name)`, i);
      tokens.push({ kind: 'slot', slotType, slot, offset: i });
    } else if (ch === '@') {
      const name = text.slice(1);
      if (!IDENTIFIER.test(name)) throw new ExpressionSyntaxError(`bad macro name in '${text}'`, i);
      tokens.push({ kind: 'macro', name, offset: i });
    } else {
      const word = text.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'");
      if (!WORD.test(word)) {
        const hint = /\d/.test(word) ? ' (spell numbers out, or use a number slot)' : '';
        throw new ExpressionSyntaxError(`'${text}' is not a word: use letters and apostrophes only${hint}`, i);
      }
      tokens.push({ kind: 'word', text: word, offset: i });
    }
    i = end;
  }
  return tokens;
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']' };

/** Parse one expression; throws ExpressionSyntaxError with the offset of the problem. */
export function parseExpression(source: string): RawNode {
  const tokens = tokenize(source);
  let pos = 0;

  const parseSequence = (inside: { open: '(' | '['; offset: number } | undefined): RawNode => {
    const items: RawNode[] = [];
    const start = tokens[pos]?.offset ?? source.length;
    while (pos < tokens.length) {
      const token = tokens[pos]!;
      if (token.kind === ',' || token.kind === ')' || token.kind === ']') {
        if (inside) break;
        if (token.kind === ',') {
          throw new ExpressionSyntaxError("',' outside brackets: alternatives go inside (a, b) or [a, b]", token.offset);
        }
        const opener = token.kind === ')' ? '(' : '[';
        throw new ExpressionSyntaxError(`unbalanced brackets: '${token.kind}' without a matching '${opener}'`, token.offset);
      }
      pos++;
      if (token.kind === '(' || token.kind === '[') items.push(parseGroup(token.kind, token.offset));
      else if (token.kind === 'word') items.push({ kind: 'word', word: token.text, offset: token.offset });
      else if (token.kind === 'slot') items.push({ kind: 'slot', slotType: token.slotType, slot: token.slot, offset: token.offset });
      else if (token.kind === 'macro') items.push({ kind: 'macro', name: token.name, offset: token.offset });
    }
    return { kind: 'sequence', items, offset: start };
  };

  const parseGroup = (open: '(' | '[', offset: number): RawNode => {
    const alternatives: RawNode[] = [];
    for (;;) {
      const alternative = parseSequence({ open, offset });
      const next = tokens[pos];
      if (alternative.kind === 'sequence' && alternative.items.length === 0) {
        throw new ExpressionSyntaxError(
          `empty alternative in '${open}' at column ${offset + 1}`,
          next?.offset ?? source.length,
        );
      }
      alternatives.push(alternative);
      if (!next) throw new ExpressionSyntaxError(`unbalanced brackets: '${open}' at column ${offset + 1} is never closed`, offset);
      pos++;
      if (next.kind === ',') continue;
      if (next.kind !== CLOSER[open]) {
        throw new ExpressionSyntaxError(
          `unbalanced brackets: '${open}' at column ${offset + 1} is closed by '${next.kind}'`,
          next.offset,
        );
      }
      return { kind: 'group', optional: open === '(', alternatives, offset };
    }
  };

  const root = parseSequence(undefined);
  if (root.kind === 'sequence' && root.items.length === 0) throw new ExpressionSyntaxError('empty expression', 0);
  return root;
}
