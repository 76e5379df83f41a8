/**
 * The `math` transform language of mapping files: a tiny arithmetic language over one variable `x`.
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '%') unary)*
 *   unary   := ('-' | '+') unary | primary
 *   primary := number | 'x' | name '(' expr (',' expr)* ')' | '(' expr ')'
 *
 * Functions: floor, ceil, round, abs (one argument), min, max (two or more). The text is parsed once
 * into a tree of closures; nothing is ever evaluated as JavaScript (no eval, no Function).
 */

export type Expression = (x: number) => number;

export class ExpressionSyntaxError extends Error {
  constructor(
    readonly reason: string,
    /** 1-based column in the expression text. */
    readonly column: number,
  ) {
    super(`${reason} at column ${column}`);
    this.name = 'ExpressionSyntaxError';
  }
}

// Maps, not object literals: a name like "constructor" must not find something on a prototype.
const UNARY_FUNCTIONS: ReadonlyMap<string, (v: number) => number> = new Map([
  ['floor', Math.floor], ['ceil', Math.ceil], ['round', Math.round], ['abs', Math.abs],
]);
const VARIADIC_FUNCTIONS: ReadonlyMap<string, (...v: number[]) => number> = new Map([
  ['min', Math.min], ['max', Math.max],
]);
const FUNCTION_NAMES = [...UNARY_FUNCTIONS.keys(), ...VARIADIC_FUNCTIONS.keys()].join(', ');

type TokenKind = 'number' | 'name' | 'op' | '(' | ')' | ',' | 'end';
interface Token { kind: TokenKind; text: string; value?: number; column: number }

const NUMBER = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t') { i++; continue; }
    const rest = text.slice(i);
    const num = NUMBER.exec(rest);
    if (num) {
      tokens.push({ kind: 'number', text: num[0], value: Number(num[0]), column: i + 1 });
      i += num[0].length;
      if (i < text.length && /[A-Za-z0-9_.]/.test(text[i]!)) throw new ExpressionSyntaxError(`malformed number "${num[0]}${text[i]}"`, i + 1);
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      tokens.push({ kind: 'name', text: name[0], column: i + 1 });
      i += name[0].length;
      continue;
    }
    if ('+-*/%'.includes(ch)) tokens.push({ kind: 'op', text: ch, column: i + 1 });
    else if (ch === '(' || ch === ')' || ch === ',') tokens.push({ kind: ch, text: ch, column: i + 1 });
    else throw new ExpressionSyntaxError(`unexpected character "${ch}"`, i + 1);
    i++;
  }
  tokens.push({ kind: 'end', text: 'end of expression', column: text.length + 1 });
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Expression {
    const expr = this.expression();
    const t = this.peek();
    if (t.kind !== 'end') throw new ExpressionSyntaxError(`unexpected "${t.text}"`, t.column);
    return expr;
  }

  private peek(): Token { return this.tokens[this.pos]!; }
  private next(): Token { return this.tokens[this.pos++]!; }

  private expect(kind: TokenKind, what: string): Token {
    const t = this.next();
    if (t.kind !== kind) throw new ExpressionSyntaxError(`expected ${what} but found "${t.text}"`, t.column);
    return t;
  }

  private expression(): Expression {
    let left = this.term();
    for (let t = this.peek(); t.kind === 'op' && (t.text === '+' || t.text === '-'); t = this.peek()) {
      this.next();
      const a = left;
      const b = this.term();
      left = t.text === '+' ? (x) => a(x) + b(x) : (x) => a(x) - b(x);
    }
    return left;
  }

  private term(): Expression {
    let left = this.unary();
    for (let t = this.peek(); t.kind === 'op' && (t.text === '*' || t.text === '/' || t.text === '%'); t = this.peek()) {
      this.next();
      const a = left;
      const b = this.unary();
      left = t.text === '*' ? (x) => a(x) * b(x) : t.text === '/' ? (x) => a(x) / b(x) : (x) => a(x) % b(x);
    }
    return left;
  }

  private unary(): Expression {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.next();
      const operand = this.unary();
      return t.text === '-' ? (x) => -operand(x) : operand;
    }
    return this.primary();
  }

  private primary(): Expression {
    const t = this.next();
    switch (t.kind) {
      case 'number': {
        const value = t.value!;
        return () => value;
      }
      case '(': {
        const inner = this.expression();
        this.expect(')', '")"');
        return inner;
      }
      case 'name':
        if (t.text === 'x') return (x) => x;
        return this.call(t);
      default:
        throw new ExpressionSyntaxError(
          t.kind === 'end' ? 'expression ends too early' : `unexpected "${t.text}"`, t.column);
    }
  }

  private call(name: Token): Expression {
    const unaryFn = UNARY_FUNCTIONS.get(name.text);
    const variadicFn = VARIADIC_FUNCTIONS.get(name.text);
    if (!unaryFn && !variadicFn) {
      throw new ExpressionSyntaxError(`unknown name "${name.text}" (only x and ${FUNCTION_NAMES} are allowed)`, name.column);
    }
    if (this.peek().kind !== '(') throw new ExpressionSyntaxError(`${name.text} must be followed by "("`, this.peek().column);
    this.next();
    const args: Expression[] = [this.expression()];
    while (this.peek().kind === ',') {
      this.next();
      args.push(this.expression());
    }
    this.expect(')', '")"');
    if (unaryFn) {
      if (args.length !== 1) throw new ExpressionSyntaxError(`${name.text} takes one argument, got ${args.length}`, name.column);
      const arg = args[0]!;
      return (x) => unaryFn(arg(x));
    }
    if (args.length < 2) throw new ExpressionSyntaxError(`${name.text} takes two or more arguments`, name.column);
    return (x) => variadicFn!(...args.map((a) => a(x)));
  }
}

/** Parses `text` once; throws ExpressionSyntaxError (with the column) when it is not a valid expression. */
export function compileExpression(text: string): Expression {
  if (text.trim() === '') throw new ExpressionSyntaxError('empty expression', 1);
  return new Parser(tokenize(text)).parse();
}
